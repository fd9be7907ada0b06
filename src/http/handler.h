// Handlers and Responders: how a route answers, now or later.
//
//   router.Add(Method::kPost, "/v1/shows/{id}/holds",
//              [svc](Request&& req, Responder respond) {
//                svc->Hold(req.PathParam("id"), std::move(respond));  // answers later
//              });
//
// A handler runs on an io thread and must not block: it answers at once, or
// keeps the Responder and calls it later from any thread (for example when a
// journal batch is durable on the writer thread). A Responder answers exactly
// once; the server then writes the response on the connection's io thread.
// A Responder destroyed without answering answers 500 internal_error, so a
// forgotten request never hangs its connection. Answers that arrive after the
// server timed the request out, or after the server stopped, are dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "http/message.h"

namespace boxoffice::http {

class Responder;
using Handler = std::function<void(Request&&, Responder)>;
struct TakenConnection;  // http/takeover.h
using Takeover = std::function<void(TakenConnection&&)>;

namespace internal {
// Where a Responder's answer goes: implemented by the server's connection
// (and by fakes in tests). Deliver may be called from any thread.
class ResponseSink {
 public:
  virtual void Deliver(uint64_t exchange, Response&& response) = 0;
  // Hands the connection to `takeover` instead of answering (http/takeover.h).
  // Sinks that cannot answer 501.
  virtual void TakeOver(uint64_t exchange, Takeover takeover);

 protected:
  ~ResponseSink() = default;
};
}  // namespace internal

class Responder {
 public:
  Responder() = default;  // answers nothing; for moved-into slots
  // `keep_alive` is held until the Responder is gone (the sink's io context).
  Responder(std::shared_ptr<internal::ResponseSink> sink, uint64_t exchange,
            std::shared_ptr<void> keep_alive);
  Responder(Responder&& other) noexcept = default;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  // Answers the request. Any thread; once (a second call is a programmer error).
  void operator()(Response response);

  // Instead of answering: hands the connection to `takeover` (http/takeover.h),
  // which runs on the connection's io thread. Any thread; instead of operator().
  void TakeOver(Takeover takeover);

  // True while the Responder still owes its answer.
  explicit operator bool() const { return sink_ != nullptr; }

 private:
  void DropUnanswered();

  std::shared_ptr<void> keep_alive_;  // declared first: released last
  std::shared_ptr<internal::ResponseSink> sink_;
  uint64_t exchange_ = 0;
};

}  // namespace boxoffice::http
