#include "store/pg_conn.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace boxoffice::store::pg {

namespace {

// Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
constexpr int64_t kPostgresEpochUs = 946'684'800'000'000;

void PutBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBigEndian(std::string_view in) {
  uint64_t v = 0;
  for (char c : in) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

// An int4[] in array_recv's layout: dimensions, flags, element type, then
// (length, lower bound) per dimension, then each element's length and value.
// False unless it is a flat array without NULLs.
bool DecodeInt4Array(std::string_view b, std::vector<uint32_t>& out) {
  if (b.size() < 12) return false;
  const uint64_t dims = GetBigEndian(b.substr(0, 4));
  if (dims == 0) return b.size() == 12;
  if (dims != 1 || b.size() < 20 || GetBigEndian(b.substr(4, 4)) != 0) return false;
  const uint64_t n = GetBigEndian(b.substr(12, 4));
  if (b.size() != 20 + n * 8) return false;
  out.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    const std::string_view e = b.substr(20 + i * 8, 8);
    if (GetBigEndian(e.substr(0, 4)) != 4) return false;
    out[i] = static_cast<uint32_t>(GetBigEndian(e.substr(4, 4)));
  }
  return true;
}

}  // namespace

// ---- Array and Params --------------------------------------------------------------

void Array::Int8(int64_t v) {
  PutBigEndian(elements_, 8, 4);
  PutBigEndian(elements_, static_cast<uint64_t>(v), 8);
  ++count_;
}

void Array::Int4(int32_t v) {
  PutBigEndian(elements_, 4, 4);
  PutBigEndian(elements_, static_cast<uint32_t>(v), 4);
  ++count_;
}

void Array::Bool(bool v) {
  PutBigEndian(elements_, 1, 4);
  elements_.push_back(v ? 1 : 0);
  ++count_;
}

void Array::Bytes(std::string_view v) {
  PutBigEndian(elements_, v.size(), 4);
  elements_.append(v);
  ++count_;
}

void Array::IntsAsText(std::span<const uint32_t> v) {
  std::string text = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(static_cast<int32_t>(v[i]));
  }
  text += '}';
  Bytes(text);
}

std::string Array::Encode() const {
  std::string out;
  out.reserve(20 + elements_.size());
  PutBigEndian(out, count_ == 0 ? 0 : 1, 4);  // dimensions
  PutBigEndian(out, 0, 4);                    // no NULLs
  PutBigEndian(out, static_cast<uint32_t>(element_), 4);
  if (count_ > 0) {
    PutBigEndian(out, count_, 4);  // length
    PutBigEndian(out, 1, 4);       // lower bound
  }
  out += elements_;
  return out;
}

Params& Params::Int8(int64_t v) {
  std::string b;
  PutBigEndian(b, static_cast<uint64_t>(v), 8);
  return Raw(std::move(b));
}

Params& Params::Int4(int32_t v) {
  std::string b;
  PutBigEndian(b, static_cast<uint32_t>(v), 4);
  return Raw(std::move(b));
}

Params& Params::Bool(bool v) { return Raw(std::string(1, v ? 1 : 0)); }

Params& Params::Bytes(std::string_view v) { return Raw(std::string(v)); }

Params& Params::Raw(std::string bytes) {
  values_.push_back(std::move(bytes));
  return *this;
}

std::vector<const char*> Params::values() const {
  std::vector<const char*> out;
  for (const std::string& v : values_) out.push_back(v.data());
  return out;
}

std::vector<int> Params::lengths() const {
  std::vector<int> out;
  for (const std::string& v : values_) out.push_back(static_cast<int>(v.size()));
  return out;
}

// ---- Result and Row -----------------------------------------------------------------

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    PQclear(r_);
    r_ = std::exchange(other.r_, nullptr);
  }
  return *this;
}

Result::~Result() { PQclear(r_); }

int Result::rows() const { return r_ == nullptr ? 0 : PQntuples(r_); }
int Result::columns() const { return r_ == nullptr ? 0 : PQnfields(r_); }
bool Result::null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
Type Result::type(int col) const { return static_cast<Type>(PQftype(r_, col)); }

std::string_view Result::bytes(int row, int col) const {
  return {PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col))};
}

std::string Result::column_name(int col) const {
  const char* name = PQfname(r_, col);
  return name == nullptr ? "?" : name;
}

int64_t Result::affected() const {
  const char* n = r_ == nullptr ? "" : PQcmdTuples(r_);
  return *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

bool Row::ReadInteger(int col, int64_t& v) {
  if (!status_.ok()) return false;
  if (col >= r_.columns() || r_.null(row_, col)) {
    Fail(col, "is missing");
    return false;
  }
  const std::string_view b = r_.bytes(row_, col);
  const Type t = r_.type(col);
  const size_t want = t == Type::kInt8   ? 8
                      : t == Type::kInt4 ? 4
                      : t == Type::kInt2 ? 2
                      : t == Type::kBool ? 1
                                         : 0;
  if (want == 0 || b.size() != want) {
    Fail(col, "is not an integer");
    return false;
  }
  const uint64_t raw = GetBigEndian(b);
  const int shift = 64 - 8 * static_cast<int>(want);
  v = shift == 0 ? static_cast<int64_t>(raw) : static_cast<int64_t>(raw << shift) >> shift;
  return true;
}

std::string Row::Bytes() {
  const int col = next_++;
  if (!status_.ok()) return {};
  if (col >= r_.columns() || r_.null(row_, col) ||
      (r_.type(col) != Type::kText && r_.type(col) != Type::kBytea)) {
    Fail(col, "is not text or bytea");
    return {};
  }
  return std::string(r_.bytes(row_, col));
}

// An int4[] in array_recv's layout: dimensions, flags, element type, then
// (length, lower bound) per dimension, then each element's length and value.
std::vector<uint32_t> Row::Seats() {
  const int col = next_++;
  if (!status_.ok()) return {};
  if (col >= r_.columns() || r_.null(row_, col) || r_.type(col) != Type::kInt4Array) {
    Fail(col, "is not an integer array");
    return {};
  }
  std::vector<uint32_t> seats;
  if (!DecodeInt4Array(r_.bytes(row_, col), seats)) Fail(col, "is a damaged integer array");
  return seats;
}

int64_t Row::MsOrZero() {
  const int col = next_++;
  if (!status_.ok() || col >= r_.columns()) return 0;
  if (r_.null(row_, col)) return 0;
  const std::string_view b = r_.bytes(row_, col);
  if (r_.type(col) != Type::kTimestampTz || b.size() != 8) {
    Fail(col, "is not a time");
    return 0;
  }
  const auto us = static_cast<int64_t>(GetBigEndian(b));
  return (us + kPostgresEpochUs) / 1000;
}

void Row::Fail(int col, std::string_view what) {
  if (!status_.ok()) return;
  std::string m = "table ";
  m += table_;
  m += ", column ";
  m += col < r_.columns() ? r_.column_name(col) : std::to_string(col);
  m += " ";
  m += what;
  status_ = Status::Corruption(std::move(m));
}

// ---- Errors -----------------------------------------------------------------------------

Status StatusOf(pg_result* r, pg_conn* c, std::string_view context) {
  const char* state = r == nullptr ? nullptr : PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string m(context);
  const char* text = r != nullptr ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (text == nullptr) text = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(c);
  m += ": ";
  m += text != nullptr && *text != '\0' ? text : "no answer from the server";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  if (const char* detail = r == nullptr ? nullptr : PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)) {
    m += " (";
    m += detail;
    m += ")";
  }
  const std::string_view s = state == nullptr ? "" : state;
  if (s.empty()) {
    return c != nullptr && PQstatus(c) == CONNECTION_BAD ? Status::Unavailable(std::move(m))
                                                         : Status::Internal(std::move(m));
  }
  const std::string_view cls = s.substr(0, 2);
  if (s == "23505") return Status::AlreadyExists(std::move(m));
  if (s == "BX409" || s == "BX412") return Status::FailedPrecondition(std::move(m));
  if (s == "BX404") return Status::NotFound(std::move(m));
  if (cls == "23" || cls == "22") return Status::InvalidArgument(std::move(m));
  if (cls == "53") return Status::ResourceExhausted(std::move(m));
  if (cls == "08" || s == "57P01" || s == "57P02" || s == "57P03") {
    return Status::Unavailable(std::move(m));
  }
  if (s == "XX001" || s == "XX002") return Status::Corruption(std::move(m));
  return Status::Internal(std::move(m));
}

// ---- Conn --------------------------------------------------------------------------------

StatusOr<std::unique_ptr<Conn>> Conn::Connect(const std::string& url,
                                              std::chrono::milliseconds timeout,
                                              const std::string& options) {
  const std::string seconds = std::to_string(std::max<int64_t>(1, timeout.count() / 1000));
  const char* keys[] = {"dbname",          "connect_timeout", "application_name",
                        "keepalives_idle", "options",         nullptr};
  const char* values[] = {url.c_str(), seconds.c_str(), "boxoffice",
                          "10",        options.c_str(), nullptr};
  pg_conn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (c == nullptr) return Status::ResourceExhausted("cannot allocate a PostgreSQL connection");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string m = PQerrorMessage(c);
    PQfinish(c);
    while (!m.empty() && m.back() == '\n') m.pop_back();
    return Status::Unavailable("cannot connect to PostgreSQL: " + m);
  }
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);  // the store says what matters
  if (PQsetnonblocking(c, 1) != 0) {
    PQfinish(c);
    return Status::Internal("cannot make the PostgreSQL connection non-blocking");
  }
  return std::unique_ptr<Conn>(new Conn(c, timeout));
}

Conn::~Conn() { PQfinish(c_); }

int Conn::backend_pid() const { return PQbackendPID(c_); }

Status Conn::Lost(std::string_view what) {
  broken_ = true;
  std::string m = "PostgreSQL connection lost while ";
  m += what;
  const char* e = PQerrorMessage(c_);
  if (e != nullptr && *e != '\0') {
    m += ": ";
    m += e;
    while (!m.empty() && m.back() == '\n') m.pop_back();
  }
  return Status::Unavailable(std::move(m));
}

// Sends what libpq holds, reading meanwhile so the server never waits on us.
Status Conn::Flush() {
  while (true) {
    const int left = PQflush(c_);
    if (left == 0) return Status::Ok();
    if (left < 0) return Lost("sending");
    pollfd p{PQsocket(c_), POLLOUT | POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(timeout_.count()));
    if (n == 0) return Lost("sending (timed out)");
    if (n < 0 && errno != EINTR) return Lost("sending (poll failed)");
    if ((p.revents & POLLIN) != 0 && PQconsumeInput(c_) == 0) return Lost("sending");
  }
}

Status Conn::WaitReadable() {
  while (PQisBusy(c_) != 0) {
    pollfd p{PQsocket(c_), POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(timeout_.count()));
    if (n == 0) return Lost("waiting for an answer (timed out)");
    if (n < 0 && errno != EINTR) return Lost("waiting for an answer (poll failed)");
    if (PQconsumeInput(c_) == 0) return Lost("waiting for an answer");
  }
  return Status::Ok();
}

// Reads the results of what was sent, up to libpq's end marker; keeps the
// last one in `last` (if given) and returns the first error.
Status Conn::Collect(std::string_view context, Result* last) {
  if (Status s = Flush(); !s.ok()) return s;
  Status status;
  while (true) {
    if (Status s = WaitReadable(); !s.ok()) return s;
    pg_result* r = PQgetResult(c_);
    if (r == nullptr) break;
    Result owned(r);
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && status.ok()) {
      status = StatusOf(r, c_, context);
    }
    if (last != nullptr) *last = std::move(owned);
  }
  if (PQstatus(c_) == CONNECTION_BAD) {
    broken_ = true;
    if (status.ok()) status = Status::Unavailable("PostgreSQL connection lost");
  }
  return status;
}

StatusOr<Result> Conn::Exec(std::string_view sql, const Params& params) {
  if (broken_) return Status::Unavailable("PostgreSQL connection lost");
  const std::string text(sql);
  const std::vector<const char*> values = params.values();
  const std::vector<int> lengths = params.lengths();
  const std::vector<int> formats(values.size(), 1);
  if (PQsendQueryParams(c_, text.c_str(), params.count(), nullptr, values.data(), lengths.data(),
                        formats.data(), /*resultFormat=*/1) == 0) {
    return Lost("sending a statement");
  }
  Result last;
  if (Status s = Collect(std::string_view(text).substr(0, 60), &last); !s.ok()) return s;
  return last;
}

Status Conn::Script(const char* sql) {
  if (PQsendQuery(c_, sql) == 0) return Lost("sending a script");
  return Collect("schema script", nullptr);
}

Status Conn::Prepare(const char* name, const char* sql) {
  if (PQsendPrepare(c_, name, sql, 0, nullptr) == 0) return Lost("preparing a statement");
  return Collect(std::string("preparing ") + name, nullptr);
}

Status Conn::EnterPipeline() {
  if (PQenterPipelineMode(c_) == 0) return Status::Internal("cannot enter pipeline mode");
  return Status::Ok();
}

Status Conn::Send(const char* prepared, const Params& params) {
  const std::vector<const char*> values = params.values();
  const std::vector<int> lengths = params.lengths();
  const std::vector<int> formats(values.size(), 1);
  if (PQsendQueryPrepared(c_, prepared, params.count(), values.data(), lengths.data(),
                          formats.data(), /*resultFormat=*/1) == 0) {
    return Lost("sending a statement");
  }
  return Status::Ok();
}

Status Conn::SendSql(const char* sql) {
  if (PQsendQueryParams(c_, sql, 0, nullptr, nullptr, nullptr, nullptr, 1) == 0) {
    return Lost("sending a statement");
  }
  return Status::Ok();
}

Status Conn::Sync() {
  if (PQpipelineSync(c_) == 0) return Lost("sending a sync point");
  return Flush();
}

Conn::Received Conn::Receive() {
  Received out;
  if (broken_) {
    out.status = Status::Unavailable("PostgreSQL connection lost");
    return out;
  }
  if (Status s = WaitReadable(); !s.ok()) {
    out.status = s;
    return out;
  }
  pg_result* r = PQgetResult(c_);
  if (r == nullptr) {  // libpq ends each statement's results with a NULL
    if (Status s = WaitReadable(); !s.ok()) {
      out.status = s;
      return out;
    }
    r = PQgetResult(c_);
  }
  if (r == nullptr) {  // lost, or out of step with what was sent: either way, done with it
    out.status = Lost("reading a result (none came where one was due)");
    return out;
  }
  out.result = Result(r);
  switch (PQresultStatus(r)) {
    case PGRES_PIPELINE_SYNC:
      out.sync = true;
      break;
    case PGRES_PIPELINE_ABORTED:
      out.aborted = true;
      out.status = Status::Internal("not run: an earlier statement failed");
      break;
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
      break;
    default:
      out.status = StatusOf(r, c_, "statement");
      if (PQstatus(c_) == CONNECTION_BAD) broken_ = true;
      break;
  }
  return out;
}

}  // namespace boxoffice::store::pg
