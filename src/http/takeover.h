// Takeover: how a route keeps its connection as a long-lived stream (SSE,
// WebSocket) instead of answering one response.
//
//   router.Add(Method::kGet, "/v1/shows/{id}/changes", [](Request&& req, Responder r) {
//     if (bad) return r(problem);                        // an ordinary answer
//     r.TakeOver([](TakenConnection&& c) { ... });       // or the socket itself
//   });
//
// The server calls the takeover function on the connection's io thread with
// the socket and whatever the client sent after the request; from then on
// the socket is the function's: the server neither reads, writes, times out
// nor counts it (it leaves http_connections_open), and Server::Stop does not
// wait for it. Whoever owns the stream closes it before the server stops (see
// live::Hub::Shutdown): the socket belongs to the io thread's event loop.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

#include "http/message.h"

namespace boxoffice::http {

struct TakenConnection {
  boost::asio::ip::tcp::socket socket;
  std::string unread;  // bytes received after the request (a pipelining client's)
};

}  // namespace boxoffice::http
