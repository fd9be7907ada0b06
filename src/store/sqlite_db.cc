#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <climits>
#include <string>

#include "store/sqlite_schema.h"

namespace boxoffice::store::sqlite {

namespace {

std::string Message(std::string_view context, std::string_view detail, int rc) {
  std::string m(context);
  m += ": ";
  m += detail;
  m += " (sqlite code ";
  m += std::to_string(rc);
  m += ")";
  return m;
}

int SizeAsInt(std::string_view bytes) {
  // SQLite limits a value to SQLITE_MAX_LENGTH (1e9 by default) anyway.
  return bytes.size() > INT_MAX ? -1 : static_cast<int>(bytes.size());
}

}  // namespace

Status StatusFromSqlite(int rc, std::string_view context, std::string_view detail) {
  std::string m = Message(context, detail, rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return Status::AlreadyExists(std::move(m));
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return Status::InvalidArgument(std::move(m));
    default:
      break;
  }
  switch (rc & 0xff) {  // the primary code of an extended code
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return Status::ResourceExhausted(std::move(m));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(m));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_NOLFS:
      return Status::IoError(std::move(m));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return Status::Corruption(std::move(m));
    default:
      return Status::Internal(std::move(m));
  }
}

// ---- Stmt -----------------------------------------------------------------------

Stmt::Stmt(Stmt&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_rc_(std::exchange(other.bind_rc_, 0)) {}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = std::exchange(other.bind_rc_, 0);
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

void Stmt::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::BindInt64(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value));
}

void Stmt::BindText(int index, std::string_view value) {
  int n = SizeAsInt(value);
  NoteBind(n < 0 ? SQLITE_TOOBIG : sqlite3_bind_text(stmt_, index, value.data(), n, SQLITE_STATIC));
}

void Stmt::BindBlob(int index, std::string_view value) {
  int n = SizeAsInt(value);
  NoteBind(n < 0 ? SQLITE_TOOBIG : sqlite3_bind_blob(stmt_, index, value.data(), n, SQLITE_STATIC));
}

StatusOr<bool> Stmt::Step() {
  BOX_ASSERT(stmt_ != nullptr);
  if (bind_rc_ != SQLITE_OK) {
    return StatusFromSqlite(bind_rc_, sqlite3_sql(stmt_), sqlite3_errstr(bind_rc_));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return StatusFromSqlite(sqlite3_extended_errcode(db_), sqlite3_sql(stmt_), sqlite3_errmsg(db_));
}

Status Stmt::Exec() {
  Status s;
  while (true) {
    StatusOr<bool> row = Step();
    if (!row.ok()) {
      s = row.status();
      break;
    }
    if (!*row) break;
  }
  Reset();
  return s;
}

void Stmt::Reset() {
  // sqlite3_reset repeats the last step's error, which Step already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

int Stmt::column_count() const { return sqlite3_column_count(stmt_); }

std::string Stmt::column_name(int col) const {
  const char* name = sqlite3_column_name(stmt_, col);
  return name != nullptr ? name : std::to_string(col);
}

bool Stmt::column_is_integer(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_INTEGER;
}

bool Stmt::column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int64_t Stmt::column_int64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Stmt::column_bytes(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);  // before _bytes, as documented
  int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr || n <= 0) return {};
  return std::string(static_cast<const char*>(p), static_cast<size_t>(n));
}

// ---- Db -------------------------------------------------------------------------

StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return StatusFromSqlite(rc, "opening " + path, detail);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return std::unique_ptr<Db>(new Db(raw, path));
}

Db::~Db() {
  // Every Stmt is finalized before its Db: close_v2 would defer the close
  // otherwise, and a WAL file is checkpointed and removed by the last close.
  sqlite3_close_v2(db_);
}

Status Db::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string detail = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return StatusFromSqlite(sqlite3_extended_errcode(db_), path_, detail);
}

StatusOr<Stmt> Db::Prepare(std::string_view sql, bool persistent) {
  sqlite3_stmt* stmt = nullptr;
  unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
  int rc = sqlite3_prepare_v3(db_, sql.data(), SizeAsInt(sql), flags, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(sqlite3_extended_errcode(db_), sql, sqlite3_errmsg(db_));
  }
  BOX_ASSERT(stmt != nullptr);  // the SQL of this module is never empty
  return Stmt(db_, stmt);
}

Status PrepareAll(Db& db, std::span<const StmtSql> statements) {
  for (const auto& [stmt, sql] : statements) {
    StatusOr<Stmt> prepared = db.Prepare(sql, /*persistent=*/true);
    if (!prepared.ok()) return prepared.status();
    *stmt = std::move(prepared).value();
  }
  return Status::Ok();
}

StatusOr<std::string> Db::QueryText(const char* sql) {
  StatusOr<Stmt> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal(std::string(sql) + ": no result");
  return stmt->column_bytes(0);
}

StatusOr<int64_t> Db::QueryInt(const char* sql) {
  StatusOr<Stmt> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row || !stmt->column_is_integer(0)) {
    return Status::Internal(std::string(sql) + ": no integer result");
  }
  return stmt->column_int64(0);
}

int64_t Db::changes() const { return sqlite3_changes64(db_); }

bool Db::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

// ---- RowReader ------------------------------------------------------------------

bool RowReader::CheckInteger(int col) {
  if (!status_.ok()) return false;
  if (stmt_.column_is_integer(col)) return true;
  Fail(col, "is not an integer");
  return false;
}

std::string RowReader::Bytes() {
  int col = next_++;
  if (!status_.ok()) return {};
  if (stmt_.column_is_null(col) || stmt_.column_is_integer(col)) {
    Fail(col, "is not text or a blob");
    return {};
  }
  return stmt_.column_bytes(col);
}

std::vector<core::SeatIndex> RowReader::Seats() {
  const std::string bytes = Bytes();
  if (!status_.ok()) return {};
  StatusOr<std::vector<core::SeatIndex>> seats = DecodeSeats(bytes);
  if (!seats.ok()) {
    Fail(seats.status().message());
    return {};
  }
  return std::move(seats).value();
}

void RowReader::Fail(int col, std::string_view what) {
  if (!status_.ok()) return;
  std::string m = "table ";
  m += table_;
  m += ", column ";
  m += stmt_.column_name(col);
  m += " ";
  m += what;
  status_ = Status::Corruption(std::move(m));
}

}  // namespace boxoffice::store::sqlite
