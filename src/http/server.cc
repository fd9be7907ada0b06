// The server: an acceptor, one event loop per io thread, and connections
// that parse with Beast and answer through Responders.
//
// Ownership and lifetime:
//  - ServerImpl owns the IoThreads (shared: a Responder keeps its thread's
//    io_context alive, so a late answer never posts into a destroyed loop).
//  - An IoThread owns its open connections (its `connections` list); a
//    connection leaves the list when it closes, and lives on only while a
//    pending operation or a Responder still refers to it.
//  - Everything a connection does happens on its io thread. The only
//    cross-thread entry is Connection::Deliver, which dispatches onto it.
//
// Deadlines are not timers per operation: each connection keeps one deadline
// for its current phase, and a sweeper per io thread checks them a few times
// per shortest timeout. Setting a deadline is one store; no timer is touched
// on the request path.
#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <condition_variable>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "http/problem.h"
#include "http/takeover.h"

namespace boxoffice::http {
namespace internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr size_t kStatusClasses = 5;  // 1xx .. 5xx
constexpr std::array<std::string_view, kStatusClasses> kStatusClassNames = {"1xx", "2xx", "3xx",
                                                                            "4xx", "5xx"};
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
constexpr std::chrono::milliseconds kSweepIntervalMin{5};
constexpr std::chrono::milliseconds kSweepIntervalMax{250};

// RFC 9110 token characters, for header names.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A response header a handler may set: a token name that the server does not
// manage itself, and a value with no line breaks or NUL.
bool IsAllowedResponseField(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
  if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
      EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "content-type")) {
    return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Status, headers and content type a connection can send as they are.
bool IsSendable(const Response& r) {
  if (r.status < 200 || r.status > 599) return false;
  if (r.content_type.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    return false;
  }
  for (const auto& [name, value] : r.headers) {
    if (!IsAllowedResponseField(name, value)) return false;
  }
  return true;
}

void AppendDecimal(std::string& out, uint64_t v) {
  char buf[20];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// One non-blocking attempt to write `bytes` (outside the asynchronous
// writes): how many went out, 0 if none could.
size_t WriteNow(tcp::socket& socket, std::string_view bytes) {
  error_code ignored;
  socket.non_blocking(true, ignored);
  return socket.write_some(asio::buffer(bytes.data(), bytes.size()), ignored);
}

std::chrono::milliseconds SweepInterval(const ServerOptions& o) {
  const auto shortest =
      std::min({o.keep_alive_timeout, o.request_read_timeout, o.write_timeout, o.handler_timeout});
  return std::clamp(shortest / 4, kSweepIntervalMin, kSweepIntervalMax);
}

}  // namespace

// Per (route, method): a latency histogram and a request counter per status class.
struct RouteMetrics {
  metrics::Histogram* latency = nullptr;
  std::array<metrics::Counter*, kStatusClasses> by_class{};

  void Record(unsigned status, Clock::duration elapsed) const {
    const size_t cls = std::clamp<size_t>(status / 100, 1, kStatusClasses) - 1;
    by_class[cls]->Inc();
    latency->Observe(std::chrono::duration<double>(elapsed).count());
  }
};

class Connection;

// One event loop on one thread, and the connections that live on it.
struct IoThread : std::enable_shared_from_this<IoThread> {
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
  asio::steady_timer sweeper{ioc};
  std::list<std::shared_ptr<Connection>> connections;  // open ones; this thread only
  bool draining = false;                               // this thread only
  std::thread thread;
};

class ServerImpl {
 public:
  ServerImpl(ServerOptions options, Router router, metrics::Registry& registry);
  ~ServerImpl() { Stop(); }

  Status Start();
  void Stop();
  uint16_t port() const { return port_.load(std::memory_order_relaxed); }
  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }

  // For connections, on their io thread.
  const RouteMetrics& MetricsFor(const Route& route) const { return route_metrics_[route.index]; }
  const RouteMetrics& UnmatchedMetrics(std::optional<Method> method) const {
    return unmatched_metrics_[method ? static_cast<size_t>(*method) : kMethodCount];
  }
  void CountHandlerException() { handler_exceptions_->Inc(); }
  void OnConnectionClosed();

 private:
  enum class State { kNew, kRunning, kStopped };

  RouteMetrics MakeRouteMetrics(std::string_view route, std::string_view method);
  Status Listen();
  void Accept();
  void OnAccept(IoThread& target, error_code ec, tcp::socket socket);
  void Reject(tcp::socket& socket);
  void ArmSweeper(IoThread& t);
  void Sweep(IoThread& t);
  void BeginDrain(IoThread& t);
  void ForceClose(IoThread& t);
  bool OnIoThread() const;

  const ServerOptions options_;
  const Router router_;
  metrics::Registry& registry_;
  const std::chrono::milliseconds sweep_interval_;

  std::vector<RouteMetrics> route_metrics_;                       // by Route::index
  std::array<RouteMetrics, kMethodCount + 1> unmatched_metrics_;  // by Method; last: other
  metrics::Gauge* connections_open_;
  metrics::Counter* connections_rejected_;
  metrics::Counter* handler_exceptions_;

  std::mutex lifecycle_mu_;  // serialises Start and Stop
  State state_ = State::kNew;
  std::vector<std::shared_ptr<IoThread>> threads_;
  std::optional<tcp::acceptor> acceptor_;  // on threads_[0]
  std::optional<asio::steady_timer> accept_retry_;
  size_t next_thread_ = 0;  // threads_[0] only
  std::atomic<uint16_t> port_{0};

  std::atomic<size_t> connections_{0};
  std::atomic<bool> draining_{false};
  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
};

// ---------------------------------------------------------------------------
// Connection

class Connection final : public ResponseSink, public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerImpl& server, IoThread& thread, tcp::socket socket)
      : server_(server),
        options_(server.options()),
        thread_(thread),
        socket_(std::move(socket)),
        buffer_(server.options().header_bytes_max + kReadChunkBytes) {}

  void Start();
  void Deliver(uint64_t exchange, Response&& response) override;
  void TakeOver(uint64_t exchange, Takeover takeover) override;
  void OnSweep(Clock::time_point now);
  void OnDrain();
  void Close();

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  void ReadRequest();
  void ReadSome();
  void OnRead(uint64_t gen, error_code ec, size_t bytes);
  void Parse();
  bool SendContinue();
  void FailParse(error_code ec);
  void Fail(const Problem& problem);
  void Dispatch();
  void Invoke(const Route& route, Request&& request);
  void OnResponse(uint64_t exchange, Response&& response);
  void OnTakeOver(uint64_t exchange, Takeover takeover);
  void Write(Response&& response);
  void AppendHead(const Response& r, bool bodiless, bool keep_alive);
  void OnWritten(error_code ec);
  void ShutdownAndLinger();
  void LingerRead();
  void OnLingerRead(uint64_t gen, error_code ec, size_t bytes);
  void SetDeadline(std::chrono::milliseconds timeout) { deadline_ = Clock::now() + timeout; }

  ServerImpl& server_;
  const ServerOptions& options_;
  IoThread& thread_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;  // bounded: a header that does not fit is too large
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  // While writing: the status line and header fields (the string keeps its
  // capacity from one response to the next), and the body.
  std::string response_head_;
  Body response_body_;
  std::list<std::shared_ptr<Connection>>::iterator registration_;
  std::string remote_address_;
  uint16_t remote_port_ = 0;

  Phase phase_ = Phase::kIdle;
  Clock::time_point deadline_ = Clock::time_point::max();
  uint64_t read_gen_ = 0;  // tags reads, so a cancelled read's late completion is ignored
  uint64_t exchange_ = 0;  // the request being answered; Responders carry it
  uint32_t requests_served_ = 0;
  size_t linger_bytes_ = 0;

  // The current exchange.
  Clock::time_point received_at_;
  const RouteMetrics* metrics_ = nullptr;
  unsigned version_ = 11;
  bool keep_alive_requested_ = false;
  bool head_ = false;
  bool close_after_response_ = false;
  bool continue_sent_ = false;  // "100 Continue" answered this request's Expect
};

void Connection::Start() {
  registration_ = thread_.connections.insert(thread_.connections.end(), shared_from_this());
  error_code ec;
  const tcp::endpoint peer = socket_.remote_endpoint(ec);
  if (ec) {
    Close();
    return;
  }
  remote_address_ = peer.address().to_string();
  remote_port_ = peer.port();
  socket_.set_option(tcp::no_delay(true), ec);
  if (thread_.draining) {
    Close();
    return;
  }
  ReadRequest();
}

void Connection::ReadRequest() {
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(options_.header_bytes_max));  // validated
  parser_->body_limit(options_.body_bytes_max);
  parser_->eager(true);
  continue_sent_ = false;
  if (buffer_.size() > 0) {  // a pipelined request is already here
    phase_ = Phase::kReading;
    SetDeadline(options_.request_read_timeout);
    Parse();
    return;
  }
  phase_ = Phase::kIdle;
  SetDeadline(options_.keep_alive_timeout);
  ReadSome();
}

void Connection::ReadSome() {
  const size_t room = buffer_.max_size() - buffer_.size();
  if (room == 0) {
    Fail(problems::HeaderTooLarge(options_.header_bytes_max));
    return;
  }
  const uint64_t gen = ++read_gen_;
  socket_.async_read_some(buffer_.prepare(std::min(room, kReadChunkBytes)),
                          [self = shared_from_this(), gen](error_code ec, size_t bytes) {
                            self->OnRead(gen, ec, bytes);
                          });
}

void Connection::OnRead(uint64_t gen, error_code ec, size_t bytes) {
  if (gen != read_gen_ || (phase_ != Phase::kIdle && phase_ != Phase::kReading)) return;
  if (ec) {  // the client went away; a partial request gets no answer
    Close();
    return;
  }
  buffer_.commit(bytes);
  if (phase_ == Phase::kIdle) {  // the request's clock starts with its first byte
    phase_ = Phase::kReading;
    SetDeadline(options_.request_read_timeout);
  }
  if (thread_.draining) SetDeadline(kDrainQuietTimeout);  // still sending: it may finish
  Parse();
}

void Connection::Parse() {
  for (;;) {
    if (parser_->is_done()) {
      Dispatch();
      return;
    }
    error_code ec;
    size_t used = 0;
    if (buffer_.size() > 0) {
      used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
    }
    if (ec && ec != bhttp::error::need_more) {
      FailParse(ec);
      return;
    }
    if (parser_->is_done()) continue;
    if (used == 0 || buffer_.size() == 0) {  // the rest is still to come
      if (parser_->is_header_done() && !SendContinue()) {
        Close();
        return;
      }
      ReadSome();
      return;
    }
  }
}

// A client that sent `Expect: 100-continue` waits for "100 Continue" before
// its body (curl, for a second). The header passed the size checks by now
// (Beast refuses an over-long Content-Length with the header). One
// non-blocking attempt: a client whose socket cannot take 25 bytes now sends
// its body after its own wait anyway. False if the write was cut short and the
// connection can only be closed.
bool Connection::SendContinue() {
  if (continue_sent_) return true;
  continue_sent_ = true;
  const auto& msg = parser_->get();
  if (msg.version() < 11) return true;
  const auto expect = msg.find(bhttp::field::expect);
  if (expect == msg.end() || !beast::iequals(expect->value(), "100-continue")) return true;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  const size_t sent = WriteNow(socket_, kContinue);  // every other use of the socket is async
  return sent == 0 || sent == kContinue.size();
}

void Connection::FailParse(error_code ec) {
  if (ec == bhttp::error::header_limit) {
    Fail(problems::HeaderTooLarge(options_.header_bytes_max));
  } else if (ec == bhttp::error::body_limit) {
    Fail(problems::PayloadTooLarge(options_.body_bytes_max));
  } else {
    Fail(problems::BadRequest("the request is not valid HTTP/1.1: " + ec.message()));
  }
}

// Answers a request that could not be read, then closes the connection.
void Connection::Fail(const Problem& problem) {
  ++exchange_;
  phase_ = Phase::kHandling;
  received_at_ = Clock::now();
  metrics_ = &server_.UnmatchedMetrics(std::nullopt);
  version_ = 11;
  keep_alive_requested_ = false;
  head_ = false;
  close_after_response_ = true;
  Write(problem.ToResponse());
}

void Connection::Dispatch() {
  auto& msg = parser_->get();
  ++exchange_;
  phase_ = Phase::kHandling;
  received_at_ = Clock::now();
  SetDeadline(options_.handler_timeout);
  version_ = msg.version() == 10 ? 10 : 11;
  keep_alive_requested_ = msg.keep_alive();
  head_ = msg.method() == bhttp::verb::head;

  const std::optional<Method> method = ParseMethod(msg.method_string());
  metrics_ = &server_.UnmatchedMetrics(method);
  if (!method) {
    Write(problems::MethodNotImplemented("the server does not support this method").ToResponse());
    return;
  }
  const std::string_view target = msg.target();
  if (target.size() > options_.target_bytes_max) {
    Write(problems::TargetTooLong(options_.target_bytes_max).ToResponse());
    return;
  }
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    Write(problems::InvalidTarget("the request target is not a valid path and query: " +
                                  url.error().message())
              .ToResponse());
    return;
  }
  const auto decoded = url->segments();
  const std::vector<std::string> segments(decoded.begin(), decoded.end());
  Router::Match match = server_.router().Find(*method, segments);
  if (match.kind == Router::Match::Kind::kNotFound) {
    Write(problems::NotFound("no resource at this path").ToResponse());
    return;
  }
  if (match.kind == Router::Match::Kind::kMethodNotAllowed) {
    Response r = problems::MethodNotAllowed("allowed here: " + match.allow).ToResponse();
    r.headers.Add("Allow", std::move(match.allow));
    Write(std::move(r));
    return;
  }
  const Route& route = *match.route;
  metrics_ = &server_.MetricsFor(route);

  Request request;
  request.method = *method;
  request.target = std::string(target);
  request.path = url->path();
  const boost::urls::encoding_opts plus_is_space(/*space_as_plus=*/true);
  for (const auto& param : url->params(plus_is_space)) {
    request.query.emplace_back(param.key, param.value);
  }
  request.path_params = std::move(match.params);
  request.route = route.pattern;
  request.headers.Reserve(static_cast<size_t>(std::distance(msg.begin(), msg.end())));
  for (const auto& field : msg) {
    request.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(msg.body());
  request.remote_address = remote_address_;
  request.remote_port = remote_port_;
  request.received_at = received_at_;
  Invoke(route, std::move(request));
}

void Connection::Invoke(const Route& route, Request&& request) {
  Responder responder(shared_from_this(), exchange_, thread_.shared_from_this());
  try {
    route.handler(std::move(request), std::move(responder));
  } catch (...) {
    // The unwound Responder has answered 500 already (if nobody kept it).
    server_.CountHandlerException();
  }
}

void Connection::OnResponse(uint64_t exchange, Response&& response) {
  if (phase_ != Phase::kHandling || exchange != exchange_) return;  // timed out or closed
  Write(std::move(response));
}

void Connection::Deliver(uint64_t exchange, Response&& response) {
  asio::dispatch(thread_.ioc.get_executor(),
                 [self = shared_from_this(), exchange, r = std::move(response)]() mutable {
                   self->OnResponse(exchange, std::move(r));
                 });
}

void Connection::TakeOver(uint64_t exchange, Takeover takeover) {
  asio::dispatch(thread_.ioc.get_executor(),
                 [self = shared_from_this(), exchange, t = std::move(takeover)]() mutable {
                   self->OnTakeOver(exchange, std::move(t));
                 });
}

// The connection leaves the server (as if closed) and its socket goes to `takeover`.
void Connection::OnTakeOver(uint64_t exchange, Takeover takeover) {
  if (phase_ != Phase::kHandling || exchange != exchange_ || thread_.draining) {
    OnResponse(exchange, problems::Overloaded("the server is stopping").ToResponse());
    return;
  }
  metrics_->Record(200, Clock::now() - received_at_);
  const auto unread = buffer_.data();
  TakenConnection taken{std::move(socket_),
                        std::string(static_cast<const char*>(unread.data()), unread.size())};
  Close();
  takeover(std::move(taken));
}

void Connection::Write(Response&& r) {
  if (!IsSendable(r)) {
    r = problems::Internal("the handler built an invalid response").ToResponse();
  }
  const bool keep_alive = keep_alive_requested_ && !close_after_response_ && !thread_.draining &&
                          (options_.requests_per_connection_max == 0 ||
                           requests_served_ + 1 < options_.requests_per_connection_max);
  close_after_response_ = !keep_alive;
  metrics_->Record(r.status, Clock::now() - received_at_);

  const bool bodiless = r.status == 204 || r.status == 304;
  const bool send_body = !bodiless && !head_;  // HEAD: the length GET would send, no body
  AppendHead(r, bodiless, keep_alive);
  response_body_ = send_body ? std::move(r.body) : Body();

  phase_ = Phase::kWriting;
  SetDeadline(options_.write_timeout);
  const std::string_view body = response_body_.view();
  const std::array<asio::const_buffer, 2> buffers = {asio::buffer(response_head_),
                                                     asio::buffer(body.data(), body.size())};
  asio::async_write(socket_, buffers,
                    [self = shared_from_this()](error_code ec, size_t) { self->OnWritten(ec); });
}

// The status line and header fields of `r`, as Beast would serialize them:
// the handler's fields in order, then Content-Type, Content-Length (unless
// 204/304) and Connection where the version needs it.
void Connection::AppendHead(const Response& r, bool bodiless, bool keep_alive) {
  std::string& h = response_head_;
  h.clear();
  h += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  AppendDecimal(h, r.status);
  h += ' ';
  h += bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
  h += "\r\n";
  for (const auto& [name, value] : r.headers) {
    h.append(name).append(": ").append(value).append("\r\n");
  }
  if (!r.content_type.empty()) h.append("Content-Type: ").append(r.content_type).append("\r\n");
  if (!bodiless) {
    h += "Content-Length: ";
    AppendDecimal(h, r.body.size());
    h += "\r\n";
  }
  if (version_ == 10 && keep_alive) h += "Connection: keep-alive\r\n";
  if (version_ != 10 && !keep_alive) h += "Connection: close\r\n";
  h += "\r\n";
}

void Connection::OnWritten(error_code ec) {
  if (phase_ != Phase::kWriting) return;  // closed by a deadline
  if (ec) {
    Close();
    return;
  }
  ++requests_served_;
  response_body_ = Body();
  if (close_after_response_) {
    ShutdownAndLinger();
    return;
  }
  ReadRequest();
}

// Stops sending and discards what the client still sends until it closes,
// so that a client still writing (say, an oversized body) reads our answer
// instead of a connection reset.
void Connection::ShutdownAndLinger() {
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    Close();
    return;
  }
  phase_ = Phase::kLingering;
  SetDeadline(std::min({kLingerTimeout, options_.request_read_timeout,
                        thread_.draining ? kDrainQuietTimeout : kLingerTimeout}));
  linger_bytes_ = 0;
  buffer_.clear();
  LingerRead();
}

void Connection::LingerRead() {
  const uint64_t gen = ++read_gen_;
  socket_.async_read_some(buffer_.prepare(kReadChunkBytes),
                          [self = shared_from_this(), gen](error_code ec, size_t bytes) {
                            self->OnLingerRead(gen, ec, bytes);
                          });
}

void Connection::OnLingerRead(uint64_t gen, error_code ec, size_t bytes) {
  if (gen != read_gen_ || phase_ != Phase::kLingering) return;
  linger_bytes_ += bytes;
  if (ec || linger_bytes_ > kLingerBytesMax) {
    Close();
    return;
  }
  LingerRead();
}

void Connection::OnSweep(Clock::time_point now) {
  if (now < deadline_) return;
  switch (phase_) {
    case Phase::kReading: {
      error_code ignored;
      ++read_gen_;  // the cancelled read's completion is stale
      socket_.cancel(ignored);
      Fail(thread_.draining ? problems::Overloaded("the server is stopping")
                            : problems::RequestTimeout());
      return;
    }
    case Phase::kHandling:
      OnResponse(exchange_, problems::HandlerTimeout().ToResponse());
      return;
    case Phase::kIdle:
    case Phase::kWriting:
    case Phase::kLingering:
      Close();
      return;
    case Phase::kClosed:
      return;
  }
}

void Connection::OnDrain() {
  close_after_response_ = true;
  if (phase_ == Phase::kIdle) Close();
  if (phase_ == Phase::kReading || phase_ == Phase::kLingering) {
    deadline_ = std::min(deadline_, Clock::now() + kDrainQuietTimeout);
  }
}

void Connection::Close() {
  if (phase_ == Phase::kClosed) return;
  auto self = shared_from_this();  // the registration may hold the last reference
  phase_ = Phase::kClosed;
  deadline_ = Clock::time_point::max();
  error_code ignored;
  socket_.close(ignored);
  thread_.connections.erase(registration_);
  server_.OnConnectionClosed();
}

// ---------------------------------------------------------------------------
// ServerImpl

ServerImpl::ServerImpl(ServerOptions options, Router router, metrics::Registry& registry)
    : options_(std::move(options)),
      router_(std::move(router)),
      registry_(registry),
      sweep_interval_(SweepInterval(options_)) {
  route_metrics_.reserve(router_.size());
  for (size_t i = 0; i < router_.size(); ++i) {
    const Route& route = router_.route(i);
    route_metrics_.push_back(MakeRouteMetrics(route.pattern, MethodName(route.method)));
  }
  for (size_t m = 0; m < kMethodCount; ++m) {
    unmatched_metrics_[m] = MakeRouteMetrics("unmatched", MethodName(static_cast<Method>(m)));
  }
  unmatched_metrics_[kMethodCount] = MakeRouteMetrics("unmatched", "OTHER");
  connections_open_ = &registry_.GetGauge("http_connections_open", "Open HTTP connections.");
  connections_rejected_ =
      &registry_.GetCounter("http_connections_rejected_total",
                            "Connections refused because connections_max was reached.");
  handler_exceptions_ =
      &registry_.GetCounter("http_handler_exceptions_total", "Handlers that threw; answered 500.");
}

RouteMetrics ServerImpl::MakeRouteMetrics(std::string_view route, std::string_view method) {
  RouteMetrics m;
  const metrics::Labels labels = {{"route", std::string(route)}, {"method", std::string(method)}};
  m.latency =
      &registry_.GetHistogram("http_request_duration_seconds",
                              "Time from a request's arrival to its response being written.",
                              metrics::kLatencyBucketsS, labels);
  for (size_t c = 0; c < kStatusClasses; ++c) {
    metrics::Labels with_status = labels;
    with_status.emplace_back("status", std::string(kStatusClassNames[c]));
    m.by_class[c] = &registry_.GetCounter(
        "http_requests_total", "HTTP requests answered, by route, method and status class.",
        std::move(with_status));
  }
  return m;
}

Status ServerImpl::Start() {
  std::lock_guard lifecycle(lifecycle_mu_);
  BOX_ASSERT(state_ == State::kNew);
  state_ = State::kStopped;  // unless everything below succeeds
  if (Status s = ValidateOptions(options_); !s.ok()) return s;
  unsigned n = options_.io_threads != 0 ? options_.io_threads : std::thread::hardware_concurrency();
  n = std::max(n, 1u);
  for (unsigned i = 0; i < n; ++i) threads_.push_back(std::make_shared<IoThread>());
  if (Status s = Listen(); !s.ok()) return s;
  Accept();
  for (auto& t : threads_) {
    ArmSweeper(*t);
    t->thread = std::thread([t = t.get()] { t->ioc.run(); });
  }
  state_ = State::kRunning;
  return Status::Ok();
}

Status ServerImpl::Listen() {
  error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec)
    return Status::InvalidArgument("listen address '" + options_.address + "': " + ec.message());
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.emplace(threads_[0]->ioc);
  accept_retry_.emplace(threads_[0]->ioc);
  if (acceptor_->open(endpoint.protocol(), ec); !ec) {
    acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("listen on " + options_.address + ":" + std::to_string(options_.port) +
                           ": " + ec.message());
  }
  port_.store(acceptor_->local_endpoint().port(), std::memory_order_relaxed);
  return Status::Ok();
}

void ServerImpl::Accept() {
  IoThread& target = *threads_[next_thread_++ % threads_.size()];
  acceptor_->async_accept(target.ioc, [this, &target](error_code ec, tcp::socket socket) {
    OnAccept(target, ec, std::move(socket));
  });
}

void ServerImpl::OnAccept(IoThread& target, error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
  if (ec) {
    // Out of descriptors or buffers: back off instead of spinning.
    accept_retry_->expires_after(kAcceptRetryDelay);
    accept_retry_->async_wait([this](error_code wait_ec) {
      if (!wait_ec && acceptor_->is_open()) Accept();
    });
    return;
  }
  if (connections_.fetch_add(1, std::memory_order_relaxed) >= options_.connections_max) {
    connections_.fetch_sub(1, std::memory_order_relaxed);
    connections_rejected_->Inc();
    Reject(socket);
  } else {
    connections_open_->Inc();
    auto connection = std::make_shared<Connection>(*this, target, std::move(socket));
    asio::post(target.ioc, [connection] { connection->Start(); });
  }
  Accept();
}

// Over connections_max: one non-blocking attempt to say so, then close.
void ServerImpl::Reject(tcp::socket& socket) {
  static const std::string kResponse = [] {
    const std::string body = problems::Overloaded("too many connections").ToJson();
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
           "Connection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  WriteNow(socket, kResponse);
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

void ServerImpl::ArmSweeper(IoThread& t) {
  t.sweeper.expires_after(sweep_interval_);
  t.sweeper.async_wait([this, &t](error_code ec) {
    if (ec) return;
    Sweep(t);
    ArmSweeper(t);
  });
}

void ServerImpl::Sweep(IoThread& t) {
  const auto now = Clock::now();
  for (auto it = t.connections.begin(); it != t.connections.end();) {
    auto connection = *it;
    ++it;  // OnSweep may close, and so unlist, this connection
    connection->OnSweep(now);
  }
}

void ServerImpl::OnConnectionClosed() {
  connections_open_->Dec();
  if (connections_.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
      draining_.load(std::memory_order_acquire)) {
    std::lock_guard lock(drain_mu_);
    drain_cv_.notify_all();
  }
}

void ServerImpl::BeginDrain(IoThread& t) {
  t.draining = true;
  auto connections = t.connections;  // OnDrain may unlist
  for (auto& c : connections) c->OnDrain();
}

void ServerImpl::ForceClose(IoThread& t) {
  auto connections = t.connections;
  for (auto& c : connections) c->Close();
  t.sweeper.cancel();
  t.ioc.stop();
}

bool ServerImpl::OnIoThread() const {
  for (const auto& t : threads_) {
    if (t->thread.get_id() == std::this_thread::get_id()) return true;
  }
  return false;
}

void ServerImpl::Stop() {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (state_ != State::kRunning) {
    state_ = State::kStopped;
    return;
  }
  BOX_ASSERT(!OnIoThread());  // Stop joins the io threads
  draining_.store(true, std::memory_order_release);
  asio::post(threads_[0]->ioc, [this] {
    error_code ignored;
    acceptor_->close(ignored);
    accept_retry_->cancel();
  });
  for (auto& t : threads_) asio::post(t->ioc, [this, t = t.get()] { BeginDrain(*t); });
  {
    std::unique_lock lock(drain_mu_);
    drain_cv_.wait_for(lock, options_.drain_timeout,
                       [this] { return connections_.load(std::memory_order_acquire) == 0; });
  }
  for (auto& t : threads_) asio::post(t->ioc, [this, t = t.get()] { ForceClose(*t); });
  for (auto& t : threads_) t->thread.join();
  state_ = State::kStopped;
}

}  // namespace internal

// ---------------------------------------------------------------------------
// Server

Status ValidateOptions(const ServerOptions& o) {
  const std::chrono::milliseconds zero{0};
  if (o.body_bytes_max == 0) return Status::InvalidArgument("body_bytes_max must be positive");
  if (o.header_bytes_max < 256) return Status::InvalidArgument("header_bytes_max must be >= 256");
  if (o.header_bytes_max > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("header_bytes_max is too large");
  }
  if (o.target_bytes_max == 0) return Status::InvalidArgument("target_bytes_max must be positive");
  if (o.connections_max == 0) return Status::InvalidArgument("connections_max must be positive");
  if (o.keep_alive_timeout <= zero || o.request_read_timeout <= zero || o.write_timeout <= zero ||
      o.handler_timeout <= zero || o.drain_timeout < zero) {
    return Status::InvalidArgument("timeouts must be positive");
  }
  return Status::Ok();
}

Server::Server(ServerOptions options, Router router, metrics::Registry& registry)
    : impl_(std::make_unique<internal::ServerImpl>(std::move(options), std::move(router),
                                                   registry)) {}
Server::~Server() = default;
Status Server::Start() { return impl_->Start(); }
void Server::Stop() { impl_->Stop(); }
uint16_t Server::port() const { return impl_->port(); }
const ServerOptions& Server::options() const { return impl_->options(); }
const Router& Server::router() const { return impl_->router(); }

}  // namespace boxoffice::http
