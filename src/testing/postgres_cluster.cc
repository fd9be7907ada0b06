#include "testing/postgres_cluster.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace boxoffice::testing {

namespace {

constexpr const char* kScript = BOXOFFICE_PG_LOCAL;  // scripts/pg-local.sh

// Runs a shell command; its standard output, without the last newline.
StatusOr<std::string> Run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return Status::Internal("cannot run: " + command);
  std::string out;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int rc = pclose(pipe);
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
    return Status::Internal("failed (" + std::to_string(rc) + "): " + command);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The URL of another database of the same server.
std::string WithDatabase(const std::string& url, const std::string& name) {
  return url.substr(0, url.rfind('/') + 1) + name;
}

}  // namespace

std::string PostgresUnavailable() {
  glob_t found{};
  const bool installed = glob("/usr/lib/postgresql/*/bin/postgres", 0, nullptr, &found) == 0;
  globfree(&found);
  if (!installed) return "PostgreSQL is not installed (scripts/install-deps.sh --test installs it)";
  return "";
}

PostgresCluster& PostgresCluster::Shared() {
  static PostgresCluster cluster(/*shared=*/true);
  return cluster;
}

std::unique_ptr<PostgresCluster> PostgresCluster::Private() {
  return std::unique_ptr<PostgresCluster>(new PostgresCluster(/*shared=*/false));
}

PostgresCluster::PostgresCluster(bool shared) {
  const char* dir = shared ? std::getenv("BOXOFFICE_TEST_PG_DIR") : nullptr;
  if (dir != nullptr && *dir != '\0') {
    dir_ = dir;  // started by the ctest fixture
  } else {
    std::string pattern = "/tmp/boxoffice-pg-XXXXXX";  // reachable by the server's user
    if (mkdtemp(pattern.data()) == nullptr) {
      started_ = Status::IoError("mkdtemp failed");
      return;
    }
    dir_ = pattern;
    owned_ = true;
  }
  StatusOr<std::string> url = Script(owned_ ? "start" : "url");
  if (!url.ok()) {
    started_ = url.status();
    return;
  }
  url_ = *url;
}

PostgresCluster::~PostgresCluster() {
  if (!owned_) return;
  (void)Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

StatusOr<std::string> PostgresCluster::Script(const std::string& command) {
  return Run(std::string(kScript) + " " + command + " " + dir_);
}

StatusOr<std::string> PostgresCluster::Psql(const std::string& sql) {
  return Run("psql -X -q -A -t '" + url_ + "' -c \"" + sql + "\"");
}

StatusOr<std::string> PostgresCluster::CreateDatabase() {
  std::lock_guard lock(mu_);
  if (!started_.ok()) return started_;
  const std::string name = "t_" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  if (StatusOr<std::string> r = Psql("CREATE DATABASE " + name); !r.ok()) return r.status();
  return WithDatabase(url_, name);
}

Status PostgresCluster::Kill() {
  std::lock_guard lock(mu_);
  StatusOr<std::string> r = Script("kill");
  return r.ok() ? Status::Ok() : r.status();
}

Status PostgresCluster::Start() {
  std::lock_guard lock(mu_);
  StatusOr<std::string> r = Script("start");
  return r.ok() ? Status::Ok() : r.status();
}

Status PostgresCluster::Stop() {
  std::lock_guard lock(mu_);
  StatusOr<std::string> r = Script("stop");
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace boxoffice::testing
