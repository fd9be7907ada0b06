#include "testing/webhook_receiver.h"

#include "http/server.h"
#include "metrics/metrics.h"

namespace boxoffice::testing {

WebhookReceiver::WebhookReceiver() : registry_(std::make_unique<metrics::Registry>()) {}

WebhookReceiver::~WebhookReceiver() { Stop(); }

Status WebhookReceiver::Start() {
  http::Router router;
  router.Add(http::Method::kPost, kWebhookPath, [this](http::Request&& req, http::Responder r) {
    ReceivedWebhook w;
    w.signature = std::string(req.Header("Boxoffice-Signature").value_or(""));
    w.body = std::move(req.body);
    w.at = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      w.answered = fail_next_ > 0 ? fail_status_ : 204;
      if (fail_next_ > 0) fail_next_--;
      received_.push_back(w);
    }
    cv_.notify_all();
    r(w.answered == 204 ? http::Response::Empty(204) : http::Response::Text(w.answered, "no\n"));
  });
  http::ServerOptions o;
  o.io_threads = 1;
  server_ = std::make_unique<http::Server>(o, std::move(router), *registry_);
  if (Status s = server_->Start(); !s.ok()) return s;
  port_ = server_->port();
  return Status::Ok();
}

void WebhookReceiver::Stop() {
  if (server_ != nullptr) server_->Stop();
}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(kWebhookPath);
}

void WebhookReceiver::FailNext(int n, unsigned status) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ = n;
  fail_status_ = status;
}

std::vector<ReceivedWebhook> WebhookReceiver::WaitFor(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
  return received_;
}

std::vector<ReceivedWebhook> WebhookReceiver::received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

}  // namespace boxoffice::testing
