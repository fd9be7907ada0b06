// ServerProcess: fork/exec of the boxoffice binary with files for its output.
// Output goes to files rather than pipes so that a chatty server can never
// block on a full pipe that nobody drains.
#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace boxoffice::itest {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kListeningPrefix = "listening on http://127.0.0.1:";
constexpr milliseconds kPollInterval{5};
constexpr size_t kLogTailBytes = 16 << 10;  // per stream in Log()

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Tail(std::string s, size_t bytes) {
  if (s.size() <= bytes) return s;
  return "..." + s.substr(s.size() - bytes);
}

std::string Trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const size_t last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::string Errno(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

// The environment for a child: ours without BOXOFFICE_* variables.
std::vector<std::string> ChildEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, "BOXOFFICE_", 10) != 0) env.emplace_back(*e);
  }
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(pid_t parent, int in_fd, int out_fd, int err_fd, char* const* argv,
                            char* const* envp) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(126);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &dfl, nullptr);
  if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(126);
  // Sockets and files of the test must not live on in the server.
  if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
    for (int fd = 3; fd < 4096; ++fd) close(fd);
  }
  execve(argv[0], argv, envp);
  _exit(127);
}

// Starts `argv` (argv[0] is the binary) with stdout/stderr appended to files.
StatusOr<pid_t> Spawn(std::vector<std::string> argv, const std::string& out_path,
                      const std::string& err_path) {
  std::vector<std::string> env = ChildEnvironment();
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  const int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (in_fd < 0 || out_fd < 0 || err_fd < 0) {
    const Status s = Status::IoError(Errno("open " + out_path));
    for (int fd : {in_fd, out_fd, err_fd}) {
      if (fd >= 0) close(fd);
    }
    return s;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) ExecChild(parent, in_fd, out_fd, err_fd, c_argv.data(), c_env.data());
  const int fork_errno = errno;
  close(in_fd);
  close(out_fd);
  close(err_fd);
  if (pid < 0) return Status::IoError(std::string("fork: ") + std::strerror(fork_errno));
  return pid;
}

ExitStatus FromWaitStatus(int status) {
  ExitStatus e;
  if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

// Waits for `pid` to end; kills it if `timeout` passes first.
StatusOr<ExitStatus> WaitPid(pid_t pid, milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return FromWaitStatus(status);
    if (r < 0 && errno != EINTR) return Status::Internal(Errno("waitpid"));
    if (Clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return Status::Unavailable("pid " + std::to_string(pid) + " still running after " +
                                 std::to_string(timeout.count()) + " ms; killed");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

// The port from a complete `listening on ...` line in `out`, or 0.
uint16_t ParseListeningPort(std::string_view out) {
  const size_t at = out.find(kListeningPrefix);
  if (at == std::string_view::npos) return 0;
  size_t i = at + kListeningPrefix.size();
  uint32_t port = 0;
  size_t digits = 0;
  for (; i < out.size() && out[i] >= '0' && out[i] <= '9' && digits < 6; ++i, ++digits) {
    port = port * 10 + static_cast<uint32_t>(out[i] - '0');
  }
  const bool line_complete = i < out.size() && (out[i] == '\n' || out[i] == '\r' || out[i] == '/');
  if (digits == 0 || !line_complete || port == 0 || port > 65'535) return 0;
  return static_cast<uint16_t>(port);
}

std::atomic<uint64_t> g_command_counter{0};

}  // namespace

std::string BoxofficeBinary() { return BOXOFFICE_BINARY; }

std::string ExitStatus::ToString() const {
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit code " + std::to_string(code);
}

StatusOr<CommandResult> RunBoxoffice(const std::vector<std::string>& args,
                                     const std::string& scratch_dir, milliseconds timeout) {
  const std::string base =
      scratch_dir + "/command-" + std::to_string(g_command_counter.fetch_add(1));
  std::vector<std::string> argv{BoxofficeBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  StatusOr<pid_t> pid = Spawn(argv, base + ".out", base + ".err");
  if (!pid.ok()) return pid.status();
  StatusOr<ExitStatus> exit = WaitPid(*pid, timeout);
  if (!exit.ok()) return exit.status();
  CommandResult r{*exit, ReadFile(base + ".out"), ReadFile(base + ".err")};
  std::filesystem::remove(base + ".out");
  std::filesystem::remove(base + ".err");
  return r;
}

StatusOr<std::vector<ServedRoute>> ServedRoutes() {
  TempDir scratch;
  StatusOr<CommandResult> r = RunBoxoffice({"routes"}, scratch.path());
  if (!r.ok()) return r.status();
  if (!r->exit.exited_ok()) {
    return Status::FailedPrecondition("`boxoffice routes` ended with " + r->exit.ToString() + ": " +
                                      r->err);
  }
  std::vector<ServedRoute> routes;
  std::istringstream in(r->out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    ServedRoute route{line.substr(0, space),
                      space == std::string::npos ? "" : line.substr(space + 1)};
    const bool ok =
        !route.method.empty() &&
        route.method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos &&
        route.path.starts_with("/") && route.path.find_first_of(" \t\r") == std::string::npos;
    if (!ok) return Status::InvalidArgument("`boxoffice routes` printed '" + line + "'");
    routes.push_back(std::move(route));
  }
  return routes;
}

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = "/tmp/" + std::string(prefix) + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    std::fprintf(stderr, "mkdtemp %s: %s\n", pattern.c_str(), std::strerror(errno));
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ServerProcess::ServerProcess(std::vector<std::string> extra_flags, std::string command)
    : data_dir_(root_.path() + "/data"),
      extra_flags_(std::move(extra_flags)),
      command_(std::move(command)) {
  std::filesystem::create_directory(data_dir_);
}

ServerProcess::~ServerProcess() {
  if (running()) (void)Kill();
}

Status ServerProcess::Start() {
  if (running()) return Status::FailedPrecondition("the server is already running");
  ++runs_;
  stdout_path_ = root_.path() + "/" + command_ + "-" + std::to_string(runs_) + ".out";
  stderr_path_ = root_.path() + "/" + command_ + "-" + std::to_string(runs_) + ".err";
  std::vector<std::string> argv{BoxofficeBinary(), command_,           "--data",
                                data_dir_,         "--listen-address", "127.0.0.1"};
  // A free port unless the test names one (a peer must know it in advance).
  if (std::find(extra_flags_.begin(), extra_flags_.end(), "--port") == extra_flags_.end()) {
    argv.insert(argv.end(), {"--port", "0"});
  }
  argv.insert(argv.end(), extra_flags_.begin(), extra_flags_.end());
  StatusOr<pid_t> pid = Spawn(argv, stdout_path_, stderr_path_);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  port_ = 0;
  return WaitUntilListening();
}

Status ServerProcess::WaitUntilListening() {
  const Clock::time_point deadline = Clock::now() + kServerStartTimeout;
  for (;;) {
    if (const uint16_t port = ParseListeningPort(ReadFile(stdout_path_)); port != 0) {
      port_ = port;
      return Status::Ok();
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("the server exited before listening (" +
                                 FromWaitStatus(status).ToString() + ")\n" + Log());
    }
    if (Clock::now() >= deadline) {
      (void)Kill();
      return Status::Unavailable("the server did not print '" + std::string(kListeningPrefix) +
                                 "PORT' within " + std::to_string(kServerStartTimeout.count()) +
                                 " ms\n" + Log());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

StatusOr<ExitStatus> ServerProcess::WaitForExit(milliseconds timeout) {
  StatusOr<ExitStatus> exit = WaitPid(pid_, timeout);
  pid_ = -1;
  port_ = 0;
  return exit;
}

Status ServerProcess::Stop(milliseconds timeout) {
  if (!running()) return Status::FailedPrecondition("the server is not running");
  if (kill(pid_, SIGTERM) != 0) return Status::Internal(Errno("kill SIGTERM"));
  StatusOr<ExitStatus> exit = WaitForExit(timeout);
  if (!exit.ok()) return Status(exit.status().code(), exit.status().message() + "\n" + Log());
  if (!exit->exited_ok()) {
    return Status::Internal("graceful shutdown ended with " + exit->ToString() + "\n" + Log());
  }
  return Status::Ok();
}

Status ServerProcess::Kill() {
  if (!running()) return Status::FailedPrecondition("the server is not running");
  if (kill(pid_, SIGKILL) != 0) return Status::Internal(Errno("kill SIGKILL"));
  StatusOr<ExitStatus> exit = WaitForExit(kServerStopTimeout);
  return exit.ok() ? Status::Ok() : exit.status();
}

Status ServerProcess::Restart() {
  if (Status s = Stop(); !s.ok()) return s;
  return Start();
}

std::string ServerProcess::Log() const {
  return "--- server stdout (" + stdout_path_ + ")\n" +
         Tail(ReadFile(stdout_path_), kLogTailBytes) + "\n--- server stderr\n" +
         Tail(ReadFile(stderr_path_), kLogTailBytes) + "\n---";
}

StatusOr<std::string> ServerProcess::AdminKey() {
  std::lock_guard lock(mu_);
  if (!admin_key_.empty()) return admin_key_;
  const std::string path = data_dir_ + "/admin.key";
  if (!std::filesystem::exists(path)) return Status::NotFound(path + " does not exist");
  std::string key = Trim(ReadFile(path));
  if (key.empty()) return Status::NotFound(path + " is empty");
  admin_key_ = key;
  return key;
}

StatusOr<std::string> ServerProcess::FanToken(const std::string& user) {
  {
    std::lock_guard lock(mu_);
    if (auto it = fan_tokens_.find(user); it != fan_tokens_.end()) return it->second;
  }
  StatusOr<CommandResult> r =
      RunBoxoffice({"token", "--data", data_dir_, "--user", user}, root_.path());
  if (!r.ok()) return r.status();
  if (!r->exit.exited_ok()) {
    return Status::Internal("boxoffice token --user " + user + ": " + r->exit.ToString() + "\n" +
                            r->out + r->err);
  }
  std::string token = Trim(r->out);
  const bool looks_like_jwt = std::count(token.begin(), token.end(), '.') == 2 &&
                              token.find_first_of(" \t\r\n") == std::string::npos;
  if (!looks_like_jwt) {
    return Status::Internal("boxoffice token printed no JWT: '" + r->out + "'");
  }
  std::lock_guard lock(mu_);
  fan_tokens_.emplace(user, token);
  return token;
}

}  // namespace boxoffice::itest
