// Db, Stmt and RowReader: a thin RAII layer over the SQLite C API, internal to
// src/store/. sqlite3.h is included only by the .cc files of this module.
//
// Values always travel through bound parameters (Stmt::Bind); SQL text is a
// constant. Integers are stored as SQLite's signed 64-bit INTEGER: unsigned
// 64-bit ids are stored bit for bit and read back unchanged.
//
// Thread-safety: a Db and its Stmts are used by one thread at a time; the
// caller serialises access (SqliteStore holds its database mutex).
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "store/stored_int.h"

struct sqlite3;
struct sqlite3_stmt;

namespace boxoffice::store::sqlite {

// Bytes bound as a BLOB (a plain string binds as TEXT).
struct Blob {
  std::string_view bytes;
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binds the parameters ?1, ?2, ... in order: integers (bool included),
  // strings as TEXT, Blob as BLOB. A bind error is reported by the next Step.
  // Text and blobs are bound by reference, not copied: they must outlive the
  // statement's run, up to its Reset (Exec resets at its end), as they do in
  // `stmt.Bind(record.name).Exec()`.
  template <typename... Args>
  Stmt& Bind(const Args&... args) {
    int index = 1;
    (BindValue(index++, args), ...);
    return *this;
  }

  // Runs one step: true when a row is ready, false when the statement is done.
  StatusOr<bool> Step();
  // Steps to completion, discarding rows, then resets. For writes.
  Status Exec();
  // Makes the statement ready to run again and clears its bindings.
  void Reset();

  int column_count() const;
  std::string column_name(int col) const;
  bool column_is_integer(int col) const;
  bool column_is_null(int col) const;
  int64_t column_int64(int col) const;
  std::string column_bytes(int col) const;  // TEXT or BLOB, embedded NULs kept

 private:
  template <typename T>
  void BindValue(int index, const T& value) {
    if constexpr (std::is_integral_v<T>) {
      BindInt64(index, static_cast<int64_t>(value));  // unsigned: bit for bit
    } else if constexpr (std::is_same_v<T, Blob>) {
      BindBlob(index, value.bytes);
    } else {
      BindText(index, std::string_view(value));
    }
  }
  void BindInt64(int index, int64_t value);
  void BindText(int index, std::string_view value);
  void BindBlob(int index, std::string_view value);
  void NoteBind(int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = 0;  // the first failed bind, reported by Step
};

class Db {
 public:
  // Opens (creating if needed) the database file at `path`. Does not read it:
  // a file that is not a database is detected by the first statement.
  static StatusOr<std::unique_ptr<Db>> Open(const std::string& path, int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs constant SQL (schema scripts, pragmas without results).
  Status Exec(const char* sql);
  // `persistent`: the statement is kept for the life of the connection.
  StatusOr<Stmt> Prepare(std::string_view sql, bool persistent = false);
  // Runs a statement that yields one row of one column, e.g. a PRAGMA query.
  StatusOr<std::string> QueryText(const char* sql);
  StatusOr<int64_t> QueryInt(const char* sql);

  int64_t changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
  bool in_transaction() const;
  const std::string& path() const { return path_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// The Status for SQLite result code `rc` (extended codes understood):
// constraint violations are kAlreadyExists (unique, primary key) or
// kInvalidArgument (check, not null); a full disk kResourceExhausted; busy or
// locked kUnavailable; I/O errors kIoError; a damaged file kCorruption.
Status StatusFromSqlite(int rc, std::string_view context, std::string_view detail);

// Where a statement goes, and its SQL: a table's statements, prepared by
// PrepareAll.
using StmtSql = std::pair<Stmt*, const char*>;
// Prepares each statement as persistent into its place; stops at the first
// error.
Status PrepareAll(Db& db, std::span<const StmtSql> statements);

// Runs `body(stmt)` over every row of a prepared (and bound) statement;
// stops at the first error.
template <typename Body>
Status ForEachRow(Stmt& stmt, Body&& body) {
  while (true) {
    StatusOr<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    if (Status s = body(stmt); !s.ok()) return s;
  }
}

// The same over every row of `sql`.
template <typename Body>
Status ForEachRow(Db& db, std::string_view sql, Body&& body) {
  StatusOr<Stmt> stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return ForEachRow(*stmt, std::forward<Body>(body));
}

// Reads the columns of a result row left to right, checking each value's type
// and range. The first mismatch becomes a kCorruption status and later reads
// return zero values; check status() once the row is read.
class RowReader {
 public:
  RowReader(const Stmt& stmt, std::string_view table) : stmt_(stmt), table_(table) {}

  template <std::integral T>
  T Int() {
    int col = next_++;
    if (!CheckInteger(col)) return T{};
    if (std::optional<T> v = FromStored<T>(stmt_.column_int64(col))) return *v;
    Fail(col, "is out of range");
    return T{};
  }
  std::string Bytes();
  std::vector<core::SeatIndex> Seats();  // a seat-list blob (sqlite_schema.h)
  // Records a decoding failure of the column just read.
  void Fail(std::string_view what) { Fail(next_ - 1, what); }

  const Status& status() const { return status_; }

 private:
  bool CheckInteger(int col);
  void Fail(int col, std::string_view what);

  const Stmt& stmt_;
  std::string_view table_;
  int next_ = 0;
  Status status_;
};

}  // namespace boxoffice::store::sqlite
