// Sends a report to the server a PXE client booted from: one HTTP/1.1 PUT
// (WebDAV-style, as nginx's dav_methods PUT takes it) over plain TCP. A boot
// image has no resolver configuration and a static binary cannot load NSS
// modules, so the host should be an IP address; names are tried through
// getaddrinfo anyway. No TLS: the repair LAN is a closed segment, and the
// report holds no secrets (hashes and paths).
#pragma once

#include <string>

#include "recovery/status.h"

namespace lifeboat {

struct HttpUrl {
  std::string host;  // "10.0.2.100", "[fd00::1]" without brackets
  int port = 80;
  std::string path = "/";
};

// "http://host[:port]/path"; anything else (https, user info, no host) is an error.
Result<HttpUrl> ParseHttpUrl(const std::string& url);

// PUTs `body` to `url` once: the status must be 2xx. `timeout_seconds`
// bounds connecting, sending and waiting for the answer.
Status HttpPut(const HttpUrl& url, const std::string& body, const std::string& content_type, int timeout_seconds);

}  // namespace lifeboat
