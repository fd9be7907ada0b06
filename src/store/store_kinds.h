// The Store implementations the conformance tests run against, each as a
// "kind": a fresh database per test, opened as many times as a test likes
// (several nodes, restarts). Tests only.
//
//   Unavailable()      why the kind cannot run here ("" when it can)
//   Open(options)      a store on the test's database
//   CheckIntegrity(s)  the implementation's own consistency check
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/pg_store.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"
#include "testing/postgres_cluster.h"

namespace boxoffice::store {

struct SqliteKind {
  static constexpr const char* kName = "Sqlite";
  std::string Unavailable() const { return ""; }
  StatusOr<std::unique_ptr<Store>> Open(GroupCommitOptions options) const {
    SqliteOptions o;
    static_cast<GroupCommitOptions&>(o) = std::move(options);
    StatusOr<std::unique_ptr<SqliteStore>> s =
        SqliteStore::Open(dir.File("store.db"), std::move(o));
    if (!s.ok()) return s.status();
    return std::unique_ptr<Store>(std::move(s).value());
  }
  static Status CheckIntegrity(Store& store) {
    return static_cast<SqliteStore&>(store).CheckIntegrity();
  }
  testing::TempDir dir;
};

// A database of its own in the build's test PostgreSQL.
struct PostgresKind {
  static constexpr const char* kName = "Postgres";
  PostgresKind() {
    if (boxoffice::testing::PostgresUnavailable().empty()) {
      url = boxoffice::testing::PostgresCluster::Shared().CreateDatabase();
    }
  }
  std::string Unavailable() const { return boxoffice::testing::PostgresUnavailable(); }
  StatusOr<std::unique_ptr<Store>> Open(GroupCommitOptions options) const {
    if (!url.ok()) return url.status();
    PostgresOptions o;
    static_cast<GroupCommitOptions&>(o) = std::move(options);
    StatusOr<std::unique_ptr<PostgresStore>> s = PostgresStore::Open(*url, std::move(o));
    if (!s.ok()) return s.status();
    return std::unique_ptr<Store>(std::move(s).value());
  }
  static Status CheckIntegrity(Store& store) {
    return static_cast<PostgresStore&>(store).CheckIntegrity();
  }
  StatusOr<std::string> url = Status::Unavailable("PostgreSQL is not installed");
};

using StoreKinds = ::testing::Types<SqliteKind, PostgresKind>;

struct StoreKindNames {
  template <typename Kind>
  static std::string GetName(int) {
    return Kind::kName;
  }
};

}  // namespace boxoffice::store
