// ChangeStream: GET /v1/shows/{id}/changes — a show's live changes, and the
// caller's own hold lifecycle events, as Server-Sent Events or over a
// WebSocket (same path; `Upgrade: websocket` picks the latter).
//
// Protocol (docs/openapi.yaml has the message shapes): the first message is
// `hello` with the version the stream starts after; then every change of the
// show in version order (`change`), and for an authenticated fan the events
// of their own holds (`hold`). A client resumes with `Last-Event-ID` (SSE) or
// `?since=<version>`: it gets the changes it missed from the hub's history,
// or `resync` (reload the availability snapshot) when it is too far behind.
// A subscriber that falls out of the history later gets `resync` (SSE) or is
// closed with code 1008 (WebSocket); one whose writes stop draining for the
// stall timeout is closed. Heartbeats: an SSE comment or a WebSocket ping
// after each quiet heartbeat period.
//
// Authentication is optional: `Authorization: Bearer <JWT>` or, for browsers
// (EventSource and WebSocket cannot set headers), `?access_token=<JWT>`.
//
// Threads: the handler runs on an io thread and takes the connection over;
// each stream then lives on that io thread (the hub only posts wakes to it).
#pragma once

#include <string>

#include "http/router.h"
#include "live/hub.h"
#include "live/stream_policy.h"
#include "service/booking_service.h"

namespace boxoffice::http {

// Kernel send buffer of a stream's socket: with kOutboundBytesMax, what one
// slow subscriber can hold.
inline constexpr int kStreamSendBufferBytes = 64 << 10;
// Largest message a WebSocket client may send (the server ignores them).
inline constexpr size_t kStreamClientMessageBytesMax = 4 << 10;

// The JSON messages of changes and hold events.
class JsonChangeEncoder final : public live::MessageEncoder {
 public:
  std::string Change(const core::SeatMap& map, const core::Change& c,
                     std::span<const core::SeatIndex> seats) const override;
  std::string HoldEvent(const service::HoldEvent& e) const override;
};

struct ChangeStreamOptions {
  std::string jwt_secret;
  live::StreamTiming timing;
};

class ChangeStream {
 public:
  // `svc` and `hub` may be null only to list the routes.
  ChangeStream(service::BookingService* svc, live::Hub* hub, ChangeStreamOptions options);
  void Register(Router& router);

 private:
  void Handle(Request&& req, Responder respond);

  service::BookingService* svc_;
  live::Hub* hub_;
  ChangeStreamOptions options_;
};

}  // namespace boxoffice::http
