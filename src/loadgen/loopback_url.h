// The server a load generator may talk to: only this machine.
//
// ParseLoopbackUrl accepts `http://HOST[:PORT][/]` where HOST is 127.0.0.1,
// localhost (case-insensitive) or [::1], and refuses everything else: other
// addresses (even other 127/8 ones), names, https, credentials, paths,
// queries and fragments. Names are never resolved: localhost means
// 127.0.0.1. A load generator pointed anywhere but loopback would be an
// attack tool.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/http_client.h"

namespace boxoffice::loadgen {

// ip is "127.0.0.1" or "::1"; host is the Host header ("localhost:8080").
using http::ServerAddress;

StatusOr<ServerAddress> ParseLoopbackUrl(std::string_view url);

}  // namespace boxoffice::loadgen
