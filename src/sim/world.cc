#include "sim/world.h"

#include "core/seeded_tokens.h"
#include "http/jwt.h"

namespace boxoffice::sim {

// Where the answers of one server's requests go; closed when it crashes, so
// what its teardown answers (the requests it never answered) is dropped.
class World::Inbox final : public http::internal::ResponseSink {
 public:
  void Deliver(uint64_t exchange, http::Response&& response) override {
    if (open) answers.push_back(Answer{exchange, std::move(response)});
  }
  bool open = true;
  std::vector<Answer> answers;
};

World::World(std::string dir, uint64_t seed, SimClock& clock, SimGateway& gateway)
    : dir_(std::move(dir)), seed_(seed), clock_(clock), gateway_(gateway) {}

World::~World() { Crash(); }

Status World::Start() {
  ++starts_;
  StatusOr<std::unique_ptr<FaultyStore>> store = FaultyStore::Open(dir_ + "/sim.db");
  if (!store.ok()) return store.status();
  store_ = std::move(store).value();
  metrics_ = std::make_unique<metrics::Registry>();
  service::ShowCaps caps;
  caps.hold_lifetime_max_ms = 1'800'000;
  svc_ = std::make_unique<service::BookingService>(*store_, codec_, clock_, *metrics_, caps);
  // Every source of randomness seeded, and different after each restart.
  uint64_t stream = seed_ * 1'000'003 + starts_ * 7'919;
  svc_->SetTokenSources([stream]() mutable {
    return std::make_unique<core::SeededTokens>(++stream * 0x9e3779b97f4a7c15ULL);
  });
  svc_->SetPayments(service::PaymentsSetup{&gateway_, kWebhookSecret, "EUR", kCheckoutExtensionMs,
                                           kReconcileAfterMs});
  if (Status s = svc_->Recover(); !s.ok()) return s;
  http::ApiOptions options;
  options.jwt_secret = kJwtSecret;
  options.admin_key = kAdminKey;
  options.queue_secret = kQueueSecret;
  options.clock = &clock_;
  options.show_defaults.hold_ttl_s = 60;
  api_ = std::make_unique<http::Api>(svc_.get(), options, metrics_.get());
  api_->SetReady(true);
  router_ = std::make_unique<http::Router>();
  api_->Register(*router_);
  inbox_ = std::make_shared<Inbox>();
  return Status::Ok();
}

void World::Crash() {
  if (inbox_) inbox_->open = false;
  gateway_.DropAnswers();
  if (store_) store_->Crash();
  router_.reset();
  api_.reset();
  if (svc_) svc_->Stop();
  svc_.reset();
  store_.reset();
  metrics_.reset();
  inbox_.reset();
}

uint64_t World::Send(http::Method method, const std::string& target, std::string body,
                     const std::vector<std::pair<std::string, std::string>>& headers) {
  const uint64_t id = next_request_++;
  http::Request req;
  req.method = method;
  req.target = target;
  const size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view rest = std::string_view(target).substr(q + 1);
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string_view part = rest.substr(0, amp);
      const size_t eq = part.find('=');
      req.query.emplace_back(std::string(part.substr(0, eq)),
                             eq == std::string_view::npos ? "" : std::string(part.substr(eq + 1)));
      rest.remove_prefix(amp == std::string_view::npos ? rest.size() : amp + 1);
    }
  }
  for (const auto& [name, value] : headers) req.headers.Set(name, value);
  req.body = std::move(body);
  req.remote_address = "127.0.0.1";
  std::vector<std::string> segments;
  for (size_t i = 1; i <= req.path.size();) {
    const size_t slash = req.path.find('/', i);
    const size_t end = slash == std::string::npos ? req.path.size() : slash;
    segments.push_back(req.path.substr(i, end - i));
    i = end + 1;
  }
  const http::Router::Match match = router_->Find(method, segments);
  if (match.kind != http::Router::Match::Kind::kFound) {
    http::Response r;
    r.status = match.kind == http::Router::Match::Kind::kNotFound ? 404 : 405;
    inbox_->Deliver(id, std::move(r));
    return id;
  }
  req.path_params = match.params;
  req.route = match.route->pattern;
  match.route->handler(std::move(req), http::Responder(inbox_, id, nullptr));
  return id;
}

std::vector<Answer> World::TakeAnswers() {
  if (!inbox_) return {};
  return std::exchange(inbox_->answers, {});
}

std::string World::FanAuth(const std::string& user) {
  auto it = fan_auth_.find(user);
  if (it != fan_auth_.end()) return it->second;
  http::JwtClaims claims;
  claims.sub = user;
  claims.exp_s = (clock_.NowMs() + 365LL * 86'400'000) / 1000;  // the issuer's clock: true time
  std::string auth = "Bearer " + http::SignJwt(claims, kJwtSecret);
  fan_auth_[user] = auth;
  return auth;
}

}  // namespace boxoffice::sim
