// Conn, Params, Array, Result and Row: a thin RAII layer over libpq, internal
// to src/store/. libpq-fe.h is included only by the .cc files of this module.
//
// Every parameter and every result travels in PostgreSQL's binary format:
// integers as big-endian bytes, arrays in the array_recv layout, so nothing
// is formatted or parsed as text. SQL names each parameter's type with a
// cast ($1::int8[]), which is what the binary value must be. Unsigned 64-bit
// ids are stored bit for bit as int8.
//
// A Conn is either in ordinary mode (Exec: one statement, wait for its
// result) or, after EnterPipeline, in pipeline mode (Send... Sync, then
// Receive each result in order). Waiting is bounded by the connection's
// I/O timeout; a connection that fails or times out is broken() and stays so.
//
// Thread-safety: a Conn is used by one thread at a time.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/stored_int.h"

struct pg_conn;
struct pg_result;

namespace boxoffice::store::pg {

// Type OIDs of PostgreSQL (stable), for array elements and result checks.
enum class Type : uint32_t {
  kBool = 16,
  kBytea = 17,
  kInt8 = 20,
  kInt2 = 21,
  kInt4 = 23,
  kText = 25,
  kTimestampTz = 1184,
  kInt4Array = 1007,
};

// A one-dimensional array parameter without NULLs, in binary format.
class Array {
 public:
  explicit Array(Type element) : element_(element) {}
  void Int8(int64_t v);
  void Int4(int32_t v);
  void Bool(bool v);
  void Bytes(std::string_view v);  // text or bytea elements
  // A text element spelling an int4[] ("{1,2,3}"), for rows of unequal
  // lengths: SQL casts it (text::int4[]), as arrays of arrays must be square.
  void IntsAsText(std::span<const uint32_t> v);
  size_t size() const { return count_; }
  std::string Encode() const;

 private:
  Type element_;
  uint32_t count_ = 0;
  std::string elements_;
};

// The parameters of one statement, in order ($1, $2, ...).
class Params {
 public:
  Params& Int8(int64_t v);
  Params& Int4(int32_t v);
  Params& Bool(bool v);
  Params& Bytes(std::string_view v);  // text or bytea
  Params& Add(const Array& a) { return Raw(a.Encode()); }
  template <std::integral T>
  Params& Id(T v) {  // unsigned ids bit for bit
    return Int8(static_cast<int64_t>(v));
  }
  int count() const { return static_cast<int>(values_.size()); }
  // Pointers into this object: valid until it changes.
  std::vector<const char*> values() const;
  std::vector<int> lengths() const;

 private:
  Params& Raw(std::string bytes);
  std::vector<std::string> values_;
};

// An owned result.
class Result {
 public:
  Result() = default;
  explicit Result(pg_result* r) : r_(r) {}
  Result(Result&& other) noexcept : r_(std::exchange(other.r_, nullptr)) {}
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  int rows() const;
  int columns() const;
  bool null(int row, int col) const;
  Type type(int col) const;
  std::string_view bytes(int row, int col) const;
  std::string column_name(int col) const;
  int64_t affected() const;  // rows an INSERT/UPDATE/DELETE touched
  pg_result* get() const { return r_; }

 private:
  pg_result* r_ = nullptr;
};

// Reads the columns of one result row left to right, checking each value's
// type and range. The first mismatch becomes a kCorruption status naming the
// table and column, and later reads return zero values; check status() once
// the row is read.
class Row {
 public:
  Row(const Result& r, int row, std::string_view table) : r_(r), row_(row), table_(table) {}

  template <std::integral T>
  T Int() {
    const int col = next_++;
    int64_t v = 0;
    if (!ReadInteger(col, v)) return T{};
    if (std::optional<T> out = FromStored<T>(v)) return *out;
    Fail(col, "is out of range");
    return T{};
  }
  std::string Bytes();            // text or bytea
  std::vector<uint32_t> Seats();  // an int4[] of seat indexes
  int64_t MsOrZero();             // a timestamptz as ms since the epoch, NULL as 0
  void Fail(std::string_view what) { Fail(next_ - 1, what); }
  const Status& status() const { return status_; }

 private:
  bool ReadInteger(int col, int64_t& v);
  void Fail(int col, std::string_view what);

  const Result& r_;
  int row_;
  std::string_view table_;
  int next_ = 0;
  Status status_;
};

// The Status of a failed result (or connection): SQLSTATE classes become
// codes — unique violations kAlreadyExists, other integrity and data errors
// kInvalidArgument, "fenced" (BX409) kFailedPrecondition, "not found" (BX404)
// kNotFound, "not in that state" (BX412) kFailedPrecondition, a full disk or
// exhausted memory kResourceExhausted, a lost connection or a server that is
// shutting down or starting kUnavailable, damaged data kCorruption.
Status StatusOf(pg_result* r, pg_conn* c, std::string_view context);

class Conn {
 public:
  // Connects to `url` (a postgres:// URL or a conninfo string), bounded by
  // `timeout`, with the session settings `options` ("-c name=value ...");
  // kUnavailable if the server cannot be reached.
  static StatusOr<std::unique_ptr<Conn>> Connect(const std::string& url,
                                                 std::chrono::milliseconds timeout,
                                                 const std::string& options);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // ---- Ordinary mode ----
  // Runs one statement (with parameters, binary results) and waits.
  StatusOr<Result> Exec(std::string_view sql, const Params& params = {});
  // Runs constant SQL, several statements allowed (schema scripts).
  Status Script(const char* sql);
  Status Prepare(const char* name, const char* sql);

  // ---- Pipeline mode ----
  Status EnterPipeline();
  Status Send(const char* prepared, const Params& params);
  Status SendSql(const char* sql);  // no parameters (BEGIN, COMMIT, SAVEPOINT ...)
  Status Sync();                    // a synchronization point, and flushes
  // The next result in order: a statement's (its Status if it failed; an
  // aborted one, skipped after an earlier error, is kAborted below), or
  // `sync` once a Sync point is reached.
  struct Received {
    Status status;
    Result result;
    bool sync = false;
    bool aborted = false;  // skipped: an earlier statement of the pipeline failed
  };
  Received Receive();

  bool broken() const { return broken_; }
  int backend_pid() const;

 private:
  Conn(pg_conn* c, std::chrono::milliseconds timeout) : c_(c), timeout_(timeout) {}
  Status Flush();
  Status WaitReadable();
  Status Collect(std::string_view context, Result* last);
  Status Lost(std::string_view what);

  pg_conn* c_;
  std::chrono::milliseconds timeout_;
  bool broken_ = false;
};

}  // namespace boxoffice::store::pg
