// HttpPut (http_upload.h): connect with a deadline, send the request in one
// go, read the status line. Connection: close, so the body needs no framing
// beyond Content-Length.
#include "recovery/http_upload.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "recovery/byte_reader.h"

namespace lifeboat {
namespace {

Status Bad(const std::string& url, const std::string& why) {
  return Status::Error(Status::Code::kInvalidInput, "report URL " + url + ": " + why);
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Connects `fd` to `addr` within the timeout (non-blocking connect + poll).
Status ConnectWithin(int fd, const sockaddr* addr, socklen_t len, int timeout_ms, const std::string& what) {
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  if (::connect(fd, addr, len) != 0 && errno != EINPROGRESS) return Status::FromErrno(errno, "connect to " + what);
  pollfd p{fd, POLLOUT, 0};
  int n = ::poll(&p, 1, timeout_ms);
  if (n == 0) return Status::Error(Status::Code::kIoError, "connect to " + what + ": timed out");
  if (n < 0) return Status::FromErrno(errno, "connect to " + what);
  int err = 0;
  socklen_t err_len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len);
  if (err != 0) return Status::FromErrno(err, "connect to " + what);
  ::fcntl(fd, F_SETFL, flags);
  return Status::Ok();
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(const std::string& url) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) return Bad(url, "only http:// is supported");
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  HttpUrl u;
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string::npos) return Bad(url, "no host");
  std::string port;
  if (authority.front() == '[') {  // [v6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos) return Bad(url, "unclosed [");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Bad(url, "junk after ]");
      port = authority.substr(close + 2);
    }
  } else {
    size_t colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return Bad(url, "no host");
  if (!port.empty()) {
    uint64_t p = 0;
    if (!ParseDecimal(port, p, 5) || p == 0 || p > 65535) return Bad(url, "bad port");
    u.port = static_cast<int>(p);
  }
  for (char c : u.path)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F) return Bad(url, "spaces or control characters in the path");
  return u;
}

Status HttpPut(const HttpUrl& url, const std::string& body, const std::string& content_type, int timeout_seconds) {
  const std::string what = url.host + ":" + std::to_string(url.port);
  const int timeout_ms = timeout_seconds * 1000;
  sockaddr_storage addr{};
  socklen_t len = 0;
  sockaddr_in* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  sockaddr_in6* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (::inet_pton(AF_INET, url.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(url.port));
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, url.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(url.port));
    len = sizeof *v6;
  } else {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = ::getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &found);
    if (rc != 0 || found == nullptr)
      return Status::Error(Status::Code::kNotFound, "cannot resolve " + url.host +
                                                        " (give the server's IP address in lifeboat.report=)");
    std::memcpy(&addr, found->ai_addr, found->ai_addrlen);
    len = found->ai_addrlen;
    ::freeaddrinfo(found);
  }
  Socket s(::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.fd() < 0) return Status::FromErrno(errno, "socket");
  Status c = ConnectWithin(s.fd(), reinterpret_cast<sockaddr*>(&addr), len, timeout_ms, what);
  if (!c.ok()) return c;
  timeval tv{timeout_seconds, 0};
  ::setsockopt(s.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ::setsockopt(s.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string host_header = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != 80) host_header += ":" + std::to_string(url.port);
  std::string request = "PUT " + url.path + " HTTP/1.1\r\nHost: " + host_header + "\r\nUser-Agent: lifeboat\r\n" +
                        "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\nConnection: close\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(s.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::FromErrno(errno ? errno : EPIPE, "send to " + what);
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buf[1024];
  while (answer.find("\r\n") == std::string::npos && answer.size() < 8192) {
    ssize_t n = ::recv(s.fd(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "no answer from " + what);
    if (n == 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  std::string status_line = answer.substr(0, answer.find("\r\n"));
  // "HTTP/1.1 201 Created"
  if (status_line.compare(0, 5, "HTTP/") != 0 || status_line.size() < 12)
    return Status::Error(Status::Code::kIoError, what + " did not answer like an HTTP server");
  if (status_line[9] != '2')
    return Status::Error(Status::Code::kIoError, "the server at " + what + " answered \"" + status_line.substr(9) + "\"");
  return Status::Ok();
}

}  // namespace lifeboat
