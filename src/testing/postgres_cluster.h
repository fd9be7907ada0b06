// PostgresCluster: the throwaway PostgreSQL the tests of one build share
// (scripts/pg-local.sh), and a fresh database for each test.
//
// Under ctest a fixture starts the shared cluster before the tests that need
// it and stops it after them; the tests find it through BOXOFFICE_TEST_PG_DIR
// (see boxoffice_test(... POSTGRES) in CMakeLists.txt). A test binary run by
// hand starts its own in a temporary directory on first use and stops it
// when the process exits. Tests that kill or stop PostgreSQL take a Private()
// one, so the others never notice.
//
//   if (std::string why = PostgresUnavailable(); !why.empty()) GTEST_SKIP() << why;
//   StatusOr<std::string> url = PostgresCluster::Shared().CreateDatabase();
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"

namespace boxoffice::testing {

// "" when PostgreSQL's server binaries are installed, else why tests of it skip.
std::string PostgresUnavailable();

class PostgresCluster {
 public:
  // Started on first use.
  static PostgresCluster& Shared();
  // A cluster of the caller's own, for tests that kill or stop it: in a new
  // temporary directory, stopped and removed when the object dies.
  static std::unique_ptr<PostgresCluster> Private();
  ~PostgresCluster();
  // Whether it started, and why not.
  const Status& status() const { return started_; }
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // A new, empty database; its URL (postgres://boxoffice@127.0.0.1:PORT/NAME).
  // Databases are not dropped (that costs a second, creating half of one):
  // they go with the cluster.
  StatusOr<std::string> CreateDatabase();
  // SIGKILL to the postmaster and its backends.
  Status Kill();
  // Starts the cluster (again, after Kill or Stop): same directory, same port.
  Status Start();
  Status Stop();
  const std::string& dir() const { return dir_; }

 private:
  explicit PostgresCluster(bool shared);
  StatusOr<std::string> Script(const std::string& command);
  StatusOr<std::string> Psql(const std::string& sql);

  std::mutex mu_;
  std::string dir_;
  bool owned_ = false;  // started by this process: stopped and removed at exit
  std::string url_;     // of the cluster's own database, "boxoffice"
  Status started_;
  int databases_ = 0;
};

}  // namespace boxoffice::testing
