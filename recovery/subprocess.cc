// RunProgram and FindProgram (subprocess.h): fork + execv with a pipe for
// the child's output; no shell, so no quoting problems with device names.
#include "recovery/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>

namespace lifeboat {

std::string FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;
    std::string path = dir + "/" + name;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

Result<ProgramResult> RunProgram(const std::vector<std::string>& argv, int timeout_seconds) {
  if (argv.empty()) return Status::Error(Status::Code::kInvalidInput, "no program to run");
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    return Status::FromErrno(err, "fork");
  }
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDONLY);
    if (null > 0) {
      ::dup2(null, 0);
      ::close(null);
    }
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  // Read until the child exits, not until EOF: a program that daemonizes
  // (ntfs-3g, dislocker) may leave a descendant holding the pipe.
  ProgramResult r;
  char buf[4096];
  int status = 0;
  bool exited = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    if (!exited && std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      ::close(pipefd[0]);
      return Status::Error(Status::Code::kIoError, argv[0] + " did not finish within " +
                                                       std::to_string(timeout_seconds) + " s and was stopped");
    }
    struct pollfd p = {pipefd[0], POLLIN, 0};
    int ready = ::poll(&p, 1, exited ? 0 : 100);
    if (ready > 0) {
      ssize_t n = ::read(pipefd[0], buf, sizeof buf);
      if (n > 0) {
        if (r.output.size() < 65536) r.output.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (!exited && ::waitpid(pid, &status, 0) == pid) exited = true;  // EOF: wait for the exit
      break;
    }
    if (ready < 0 && errno != EINTR) break;
    if (exited) break;  // drained after the exit
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) exited = true;
    else if (w < 0 && errno != EINTR) break;
  }
  ::close(pipefd[0]);
  while (!exited) {
    pid_t w = ::waitpid(pid, &status, 0);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) return Status::FromErrno(errno, "waitpid " + argv[0]);
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (r.exit_code == 127 && r.output.empty()) return Status::Error(Status::Code::kNotFound, argv[0] + ": cannot run");
  while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == ' ')) r.output.pop_back();
  return r;
}

}  // namespace lifeboat
