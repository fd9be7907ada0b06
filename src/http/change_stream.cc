// The live stream's two transports over one session logic:
//
//   Session        subscribe, pull from the hub, frame, heartbeat, stall and
//                  slow-consumer handling; one write in flight at a time
//   SseSession     one HTTP response that never ends: `event:`/`id:`/`data:`
//   WsSession      Beast WebSocket: one text message per frame, pings
//
// Everything a session does runs on its connection's io thread; the hub's
// wake and close callbacks post onto it.
#include "http/change_stream.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <deque>

#include "http/api_json.h"
#include "http/jwt.h"
#include "http/problem.h"
#include "http/takeover.h"

namespace boxoffice::http {

// ---- Wire format -------------------------------------------------------------------------

std::string JsonChangeEncoder::Change(const core::SeatMap& map, const core::Change& c,
                                      std::span<const core::SeatIndex> seats) const {
  boost::json::object o;
  o["type"] = "change";
  o["show"] = ShowId(c.show);
  o["version"] = c.version;
  o["at"] = FormatTime(c.at_ms);
  o["reason"] = core::ChangeReasonName(c.reason);
  o["state"] = core::SeatStateName(c.new_state);
  boost::json::array labels;
  labels.reserve(seats.size());
  for (core::SeatIndex s : seats) labels.emplace_back(map.label(s));
  o["seats"] = std::move(labels);
  if (c.ga_area != core::kNoArea) {
    o["area"] = map.section(c.ga_area).id;
    o["quantity"] = c.ga_quantity;
  }
  return boost::json::serialize(o);
}

std::string JsonChangeEncoder::HoldEvent(const service::HoldEvent& e) const {
  boost::json::object o;
  o["type"] = "hold";
  o["event"] = service::HoldEventKindName(e.kind);
  o["hold"] = HoldId(e.show, e.hold);
  o["at"] = FormatTime(e.at_ms);
  if (e.kind == service::HoldEventKind::kExpiringSoon)
    o["expires_at"] = FormatTime(e.expires_at_ms);
  if (e.booking != 0) o["booking"] = BookingId(e.show, e.booking);
  if (!e.reason.empty()) o["reason"] = e.reason;
  return boost::json::serialize(o);
}

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

core::TimeMs MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<const std::string> Control(std::string_view type, core::ShowId show,
                                           core::Version version) {
  boost::json::object o;
  o["type"] = type;
  o["show"] = ShowId(show);
  o["version"] = version;
  return std::make_shared<const std::string>(boost::json::serialize(o));
}

// One message on the stream: its SSE event name and id, and its JSON.
struct Frame {
  std::string_view event;
  std::optional<core::Version> id;  // SSE `id:`: versions only (hold events keep the last)
  std::shared_ptr<const std::string> data;
};

struct StreamSetup {
  core::ShowId show = 0;
  std::string user;
  core::Version version_now = 0;
  std::optional<core::Version> since;
  live::StreamTiming timing;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(live::Hub& hub, StreamSetup setup, const asio::any_io_executor& executor)
      : hub_(hub), setup_(std::move(setup)), executor_(executor), timer_(executor) {}
  virtual ~Session() = default;

  virtual void Start() = 0;

 protected:
  // Transport: each calls Sent (writes) or Finish (errors) when done.
  virtual void Send(std::vector<Frame> frames) = 0;
  virtual void SendHeartbeat() = 0;
  virtual void CloseSlow(std::string reason) = 0;  // after the last write completed
  virtual void CloseGoingAway() = 0;
  virtual void Abort() = 0;  // closes the socket: pending operations end
  virtual bool resync_when_behind() const = 0;

  // The transport is open: subscribe and start streaming.
  void Opened();
  void Sent(error_code ec, size_t messages);
  void Finish();
  void BeginWrite() {
    writing_ = true;
    write_started_ms_ = MonotonicMs();
  }
  bool finished() const { return finished_; }
  bool writing() const { return writing_; }
  // The server is stopping while a write is out: CloseGoingAway again once
  // it completes, so the client still gets its close frame.
  void GoAwayAfterWrite() { go_away_after_write_ = true; }

 private:
  void Pump();
  void Tick();
  void ArmTimer();

  live::Hub& hub_;
  const StreamSetup setup_;
  asio::any_io_executor executor_;
  asio::steady_timer timer_;
  std::shared_ptr<live::Subscriber> sub_;
  std::vector<Frame> first_;  // hello, sent with the first pull
  bool pulled_once_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool go_away_after_write_ = false;
  bool finished_ = false;
  core::TimeMs write_started_ms_ = 0;
  core::TimeMs last_sent_ms_ = 0;
};

void Session::Opened() {
  std::weak_ptr<Session> weak = weak_from_this();
  const asio::any_io_executor ex = executor_;
  live::Hub::Subscription s = hub_.Subscribe(
      setup_.show, setup_.user, setup_.version_now, setup_.since,
      [weak, ex] {
        asio::post(ex, [weak] {
          if (auto self = weak.lock()) self->Pump();
        });
      },
      [weak, ex] {
        asio::post(ex, [weak] {
          if (auto self = weak.lock()) self->CloseGoingAway();
        });
      });
  if (s.subscriber == nullptr) {
    Finish();  // shutting down, or full (checked before the takeover; a race lost)
    return;
  }
  sub_ = std::move(s.subscriber);
  // Everything after the hello's version follows (or a resync says where to restart).
  const core::Version start = setup_.since.value_or(s.version);
  first_.push_back(Frame{"hello", start, Control("hello", setup_.show, start)});
  last_sent_ms_ = MonotonicMs();
  ArmTimer();
  Pump();
}

void Session::Pump() {
  if (writing_ || closing_ || finished_ || sub_ == nullptr) return;
  live::Hub::Pulled p = hub_.Pull(*sub_, live::kOutboundBytesMax);
  const bool first = !pulled_once_;
  pulled_once_ = true;
  std::vector<Frame> frames = std::move(first_);
  first_.clear();
  if (p.events_overflowed || (p.behind && !first && !resync_when_behind())) {
    hub_.CountSlowDisconnect();
    closing_ = true;
    BeginWrite();
    CloseSlow("too slow: reload the availability and reconnect with ?since=");
    return;
  }
  if (p.behind) {
    hub_.CountResync();
    frames.push_back(Frame{"resync", p.version, Control("resync", setup_.show, p.version)});
  }
  for (const live::MessagePtr& m : p.changes) {
    frames.push_back(Frame{"change", m->version, std::shared_ptr<const std::string>(m, &m->text)});
  }
  for (auto& e : p.events) frames.push_back(Frame{"hold", std::nullopt, std::move(e)});
  if (p.queue != nullptr) frames.push_back(Frame{"queue", std::nullopt, std::move(p.queue)});
  if (frames.empty()) return;
  BeginWrite();
  Send(std::move(frames));
}

void Session::Sent(error_code ec, size_t messages) {
  writing_ = false;
  if (ec || finished_) {
    Finish();
    return;
  }
  hub_.CountSent(messages);
  last_sent_ms_ = MonotonicMs();
  if (go_away_after_write_) {
    go_away_after_write_ = false;
    CloseGoingAway();
    return;
  }
  Pump();
}

void Session::ArmTimer() {
  timer_.expires_after(std::chrono::milliseconds(live::TickIntervalMs(setup_.timing)));
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec && !self->finished_) self->Tick();
  });
}

void Session::Tick() {
  const std::optional<core::TimeMs> in_flight =
      writing_ ? std::optional<core::TimeMs>(write_started_ms_) : std::nullopt;
  switch (live::Tick(setup_.timing, MonotonicMs(), last_sent_ms_, in_flight)) {
    case live::TickAction::kDisconnect:
      hub_.CountSlowDisconnect();
      Finish();
      return;
    case live::TickAction::kHeartbeat:
      if (!closing_) {
        BeginWrite();
        SendHeartbeat();
      }
      break;
    case live::TickAction::kNone:
      break;
  }
  ArmTimer();
}

void Session::Finish() {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  sub_.reset();
  Abort();
}

// ---- Server-Sent Events ----------------------------------------------------------------

class SseSession final : public Session {
 public:
  SseSession(live::Hub& hub, StreamSetup setup, tcp::socket socket)
      : Session(hub, std::move(setup), socket.get_executor()), socket_(std::move(socket)) {}

  void Start() override {
    out_ =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
        "X-Accel-Buffering: no\r\n\r\nretry: 1000\n\n";
    Read();
    Opened();
  }

 private:
  bool resync_when_behind() const override { return true; }

  void Send(std::vector<Frame> frames) override {
    for (const Frame& f : frames) {
      out_ += "event: ";
      out_ += f.event;
      out_ += '\n';
      if (f.id) out_ += "id: " + std::to_string(*f.id) + "\n";
      out_ += "data: ";
      out_ += *f.data;
      out_ += "\n\n";
    }
    Write(frames.size());
  }

  void SendHeartbeat() override {
    out_ += ": ping\n\n";
    Write(0);
  }

  void Write(size_t messages) {
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this(), this, messages](error_code ec, size_t) {
                        out_.clear();
                        Sent(ec, messages);
                      });
  }

  // A subscriber that is too slow for the history reconnects with Last-Event-ID.
  void CloseSlow(std::string) override { Finish(); }
  void CloseGoingAway() override { Finish(); }

  void Abort() override {
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // The client sends nothing; reading notices when it goes away.
  void Read() {
    socket_.async_read_some(asio::buffer(in_),
                            [self = shared_from_this(), this](error_code ec, size_t) {
                              if (ec) {
                                Finish();
                                return;
                              }
                              Read();
                            });
  }

  tcp::socket socket_;
  std::string out_;  // the write in flight: at most one pull's worth
  std::array<char, 512> in_{};
};

// ---- WebSocket ---------------------------------------------------------------------------

class WsSession final : public Session {
 public:
  WsSession(live::Hub& hub, StreamSetup setup, tcp::socket socket,
            bhttp::request<bhttp::empty_body> upgrade)
      : Session(hub, std::move(setup), socket.get_executor()),
        ws_(std::move(socket)),
        upgrade_(std::move(upgrade)) {}

  void Start() override {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.read_message_max(kStreamClientMessageBytesMax);
    ws_.async_accept(upgrade_, [self = shared_from_this(), this](error_code ec) {
      if (ec) {
        Finish();
        return;
      }
      Read();
      Opened();
    });
  }

 private:
  bool resync_when_behind() const override { return false; }

  void Send(std::vector<Frame> frames) override {
    queue_.assign(std::make_move_iterator(frames.begin()), std::make_move_iterator(frames.end()));
    sending_ = queue_.size();
    WriteNext();
  }

  void WriteNext() {
    if (queue_.empty()) {
      Sent({}, sending_);
      return;
    }
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front().data),
                    [self = shared_from_this(), this](error_code ec, size_t) {
                      queue_.pop_front();
                      if (ec) {
                        queue_.clear();
                        Sent(ec, 0);
                        return;
                      }
                      WriteNext();
                    });
  }

  void SendHeartbeat() override {
    ws_.async_ping({}, [self = shared_from_this(), this](error_code ec) { Sent(ec, 0); });
  }

  void CloseSlow(std::string reason) override {
    ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, reason),
                    [self = shared_from_this(), this](error_code) { Finish(); });
  }

  void CloseGoingAway() override {
    if (finished()) return;
    if (writing()) {
      GoAwayAfterWrite();
      return;
    }
    BeginWrite();
    ws_.async_close(websocket::close_code::going_away,
                    [self = shared_from_this(), this](error_code) { Finish(); });
  }

  void Abort() override {
    error_code ignored;
    beast::get_lowest_layer(ws_).shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close(ignored);
  }

  // Client messages are read and ignored; reading also answers pings and
  // notices a close.
  void Read() {
    ws_.async_read(in_, [self = shared_from_this(), this](error_code ec, size_t) {
      if (ec) {
        Finish();
        return;
      }
      in_.clear();
      Read();
    });
  }

  websocket::stream<tcp::socket> ws_;
  bhttp::request<bhttp::empty_body> upgrade_;
  std::deque<Frame> queue_;  // the frames of the write in flight
  size_t sending_ = 0;
  beast::flat_buffer in_;
};

// ---- The route --------------------------------------------------------------------------

bool HeaderHasToken(const Request& req, std::string_view name, std::string_view token) {
  const std::optional<std::string_view> v = req.Header(name);
  if (!v) return false;
  std::string_view rest = *v;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

bool IsWebSocketUpgrade(const Request& req) {
  return HeaderHasToken(req, "Upgrade", "websocket") &&
         HeaderHasToken(req, "Connection", "upgrade");
}

std::optional<core::Version> ParseVersion(std::string_view s) {
  core::Version v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

Response Problem4xx(unsigned status, std::string code, std::string title, std::string detail) {
  Problem p;
  p.status = status;
  p.code = std::move(code);
  p.title = std::move(title);
  p.detail = std::move(detail);
  Response r = p.ToResponse();
  if (status == 401) r.headers.Set("WWW-Authenticate", "Bearer");
  return r;
}

bhttp::request<bhttp::empty_body> BeastRequest(const Request& req) {
  bhttp::request<bhttp::empty_body> r;
  r.method(bhttp::verb::get);
  r.target(req.target);
  r.version(11);
  for (const auto& [name, value] : req.headers) r.insert(name, value);
  return r;
}

}  // namespace

ChangeStream::ChangeStream(service::BookingService* svc, live::Hub* hub,
                           ChangeStreamOptions options)
    : svc_(svc), hub_(hub), options_(std::move(options)) {}

void ChangeStream::Register(Router& router) {
  router.Add(Method::kGet, "/v1/shows/{id}/changes", [this](Request&& req, Responder respond) {
    Handle(std::move(req), std::move(respond));
  });
}

void ChangeStream::Handle(Request&& req, Responder respond) {
  const std::optional<core::ShowId> id = ParseShowId(req.PathParam("id"));
  if (!id || svc_->FindShow(*id) == nullptr)
    return respond(Problem4xx(404, "not_found", "Not found", "no such show"));
  StreamSetup setup;
  setup.show = *id;
  setup.timing = options_.timing;
  const std::optional<std::string_view> resume =
      req.Header("Last-Event-ID") ? req.Header("Last-Event-ID") : req.Query("since");
  if (resume) {
    setup.since = ParseVersion(*resume);
    if (!setup.since)
      return respond(
          Problem4xx(400, "malformed_request", "Malformed request",
                     "since / Last-Event-ID: must be a version (a non-negative integer)"));
  }
  std::optional<std::string_view> token = req.Query("access_token");
  constexpr std::string_view kBearer = "Bearer ";
  if (auto auth = req.Header("Authorization")) {
    if (auth->size() <= kBearer.size() ||
        !EqualsIgnoreCase(auth->substr(0, kBearer.size()), kBearer))
      return respond(
          Problem4xx(401, "unauthorized", "Unauthorized", "send Authorization: Bearer <token>"));
    token = auth->substr(kBearer.size());
  }
  if (token) {
    StatusOr<JwtClaims> claims = VerifyJwt(*token, options_.jwt_secret, svc_->clock().WallMs());
    if (!claims.ok())
      return respond(Problem4xx(401, "unauthorized", "Unauthorized",
                                "the bearer token is not valid: " + claims.status().message()));
    if (claims->role == JwtRole::kFan) setup.user = claims->sub;
  }
  if (req.method == Method::kHead) {  // what GET would start with, without the stream
    Response head = Response::Empty(200);
    head.content_type = "text/event-stream";
    return respond(std::move(head));
  }
  if (hub_->subscribers() >= hub_->subscribers_max())
    return respond(problems::Overloaded("too many live-stream subscribers").ToResponse());
  setup.version_now = svc_->GetAvailability(*id)->version;
  live::Hub* hub = hub_;
  if (IsWebSocketUpgrade(req)) {
    respond.TakeOver([hub, setup = std::move(setup),
                      upgrade = BeastRequest(req)](TakenConnection&& c) mutable {
      error_code ignored;
      c.socket.set_option(asio::socket_base::send_buffer_size(kStreamSendBufferBytes), ignored);
      std::make_shared<WsSession>(*hub, std::move(setup), std::move(c.socket), std::move(upgrade))
          ->Start();
    });
    return;
  }
  respond.TakeOver([hub, setup = std::move(setup)](TakenConnection&& c) mutable {
    error_code ignored;
    c.socket.set_option(asio::socket_base::send_buffer_size(kStreamSendBufferBytes), ignored);
    std::make_shared<SseSession>(*hub, std::move(setup), std::move(c.socket))->Start();
  });
}

}  // namespace boxoffice::http
