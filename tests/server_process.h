// ServerProcess: the real `boxoffice serve` binary as a child process, for
// integration tests.
//
//   itest::ServerProcess server;                 // a fresh data dir under /tmp
//   ASSERT_TRUE(server.Start().ok()) << server.Log();
//   http::TestClient client("127.0.0.1", server.port());
//   ... server.AdminKey(), server.FanToken("alice") ...
//   server.Kill();  ASSERT_TRUE(server.Start().ok());   // crash + recovery
//   EXPECT_TRUE(server.Stop().ok());                      // SIGTERM, exit 0
//
// Start() runs `boxoffice serve --data DIR --listen-address 127.0.0.1
// --port 0` (no --port when the extra flags name one) plus the extra flags,
// with stdout and stderr sent to files beside the data dir, and waits
// (bounded) until stdout holds the line `listening on http://127.0.0.1:PORT`.
// The child gets the test's environment without any BOXOFFICE_* variable, so
// the runner's shell cannot change what is tested, and it is killed if the
// thread that started it dies.
// The destructor kills a running server and removes the temp dir.
//
// Thread-safety: Start/Stop/Kill/Restart from the one thread that owns the
// object (it must outlive the server: the child dies with that thread);
// AdminKey, FanToken, port and data_dir from any thread while no
// Start/Stop/Kill runs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace boxoffice::itest {

inline constexpr std::chrono::milliseconds kServerStartTimeout = std::chrono::seconds(30);
inline constexpr std::chrono::milliseconds kServerStopTimeout = std::chrono::seconds(30);
inline constexpr std::chrono::milliseconds kCommandTimeout = std::chrono::seconds(30);

// The `boxoffice` binary under test (fixed at compile time).
std::string BoxofficeBinary();

// The exit of a child: its exit code, or the signal that ended it.
struct ExitStatus {
  int code = -1;   // exit code when the child exited
  int signal = 0;  // the terminating signal, or 0
  bool exited_ok() const { return signal == 0 && code == 0; }
  std::string ToString() const;
};

// Output of a finished command.
struct CommandResult {
  ExitStatus exit;
  std::string out;
  std::string err;
};

// Runs `boxoffice ARGS...` to completion (bounded by `timeout`, then killed)
// with stdout and stderr captured through files in `scratch_dir`.
StatusOr<CommandResult> RunBoxoffice(const std::vector<std::string>& args,
                                     const std::string& scratch_dir,
                                     std::chrono::milliseconds timeout = kCommandTimeout);

// One route the binary serves, as `boxoffice routes` prints it.
struct ServedRoute {
  std::string method;  // "GET"
  std::string path;    // "/v1/shows/{id}/holds"
  friend auto operator<=>(const ServedRoute&, const ServedRoute&) = default;
};

// Every route of `boxoffice routes`, in its order; an error if the command
// fails or prints a line that is not "METHOD /path".
StatusOr<std::vector<ServedRoute>> ServedRoutes();

// A directory under /tmp that exists until the object dies.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "boxoffice-itest");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ServerProcess {
 public:
  // `command` is the subcommand run: "serve", or "gateway" (the simulated
  // payment gateway takes the same --data, --port and --listen-address flags).
  explicit ServerProcess(std::vector<std::string> extra_flags = {}, std::string command = "serve");
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server on this object's data dir (the same one every time)
  // and waits until it listens. Fails, with the log in the message, if the
  // child exits first or the line does not come within kServerStartTimeout.
  Status Start();
  // SIGTERM, then waits for the exit; OK only for exit code 0. A child still
  // alive after `timeout` is killed and reported.
  Status Stop(std::chrono::milliseconds timeout = kServerStopTimeout);
  // SIGKILL and reap; OK if the server was running and is gone.
  Status Kill();
  // Stop() then Start().
  Status Restart();

  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  // The stdout and stderr of the latest run, for failure messages.
  std::string Log() const;

  // The admin key the server keeps in DATA_DIR/admin.key (after the first
  // start), without surrounding whitespace.
  StatusOr<std::string> AdminKey();
  // A fan's bearer token from `boxoffice token --data DIR --user USER`;
  // minted once per user and cached. Thread-safe.
  StatusOr<std::string> FanToken(const std::string& user);

 private:
  Status WaitUntilListening();
  StatusOr<ExitStatus> WaitForExit(std::chrono::milliseconds timeout);

  TempDir root_;
  std::string data_dir_;
  std::vector<std::string> extra_flags_;
  std::string command_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int runs_ = 0;
  std::string stdout_path_;
  std::string stderr_path_;

  std::mutex mu_;  // guards the caches below
  std::string admin_key_;
  std::map<std::string, std::string, std::less<>> fan_tokens_;
};

}  // namespace boxoffice::itest
