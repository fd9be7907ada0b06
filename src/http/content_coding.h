// Content codings (RFC 9110, section 8.4.1): which ones a request accepts,
// and gzip itself. The only place that includes zlib.
//
//   if (AcceptsGzip(req.Header("Accept-Encoding"))) body = *Gzip(identity);
//
// Thread-safety: plain functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace boxoffice::http {

// Whether an Accept-Encoding field value allows gzip: a "gzip" (or its alias
// "x-gzip") or "*" member with a weight above zero; an explicit gzip member
// wins over "*", so "gzip;q=0, *" refuses it. Coding names and "q" compare
// case-insensitively; a member with a malformed weight counts as refused. No
// field at all: identity only (what clients that do not ask get everywhere).
bool AcceptsGzip(std::optional<std::string_view> accept_encoding);

// `text` compressed as one gzip member (RFC 1952). kInternal if zlib fails
// (it only does when out of memory).
StatusOr<std::string> Gzip(std::string_view text);

}  // namespace boxoffice::http
