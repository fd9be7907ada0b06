// Responder: answers once, or answers 500 when dropped.
#include "http/handler.h"

#include <utility>

#include "core/status.h"
#include "http/problem.h"

namespace boxoffice::http {

Responder::Responder(std::shared_ptr<internal::ResponseSink> sink, uint64_t exchange,
                     std::shared_ptr<void> keep_alive)
    : keep_alive_(std::move(keep_alive)), sink_(std::move(sink)), exchange_(exchange) {}

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    DropUnanswered();
    sink_ = std::move(other.sink_);
    keep_alive_ = std::move(other.keep_alive_);
    exchange_ = other.exchange_;
  }
  return *this;
}

Responder::~Responder() { DropUnanswered(); }

void Responder::operator()(Response response) {
  BOX_ASSERT(sink_ != nullptr);  // answered twice, or moved from
  // Locals die in reverse order: the sink first, then what keeps its io context.
  auto keep_alive = std::move(keep_alive_);
  auto sink = std::move(sink_);
  sink->Deliver(exchange_, std::move(response));
}

void Responder::TakeOver(Takeover takeover) {
  BOX_ASSERT(sink_ != nullptr);
  auto keep_alive = std::move(keep_alive_);
  auto sink = std::move(sink_);
  sink->TakeOver(exchange_, std::move(takeover));
}

void internal::ResponseSink::TakeOver(uint64_t exchange, Takeover) {
  Deliver(exchange, problems::MethodNotImplemented("this server cannot stream").ToResponse());
}

void Responder::DropUnanswered() {
  if (sink_ == nullptr) return;
  (*this)(problems::Internal("the request was not answered").ToResponse());
}

}  // namespace boxoffice::http
