#include "http/content_coding.h"

#include <zlib.h>

#include <limits>

#include "http/message.h"

namespace boxoffice::http {
namespace {

// zlib's default: the usual trade between size and time. A body is
// compressed once per version of what it shows, then served many times.
constexpr int kGzipLevel = Z_DEFAULT_COMPRESSION;
constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper
constexpr int kGzipMemLevel = 8;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The next element of a comma- (or semicolon-) separated list; consumes it.
std::string_view NextItem(std::string_view& list, char separator) {
  const size_t end = list.find(separator);
  const std::string_view item = list.substr(0, end);
  list.remove_prefix(end == std::string_view::npos ? list.size() : end + 1);
  return Trim(item);
}

// A qvalue (RFC 9110, section 12.4.2): "0", "0.5", "1.000"; nullopt if malformed.
std::optional<bool> WeightAboveZero(std::string_view q) {
  if (q.empty() || q.size() > 5 || (q[0] != '0' && q[0] != '1')) return std::nullopt;
  if (q.size() > 1 && q[1] != '.') return std::nullopt;
  bool above_zero = q[0] == '1';
  for (size_t i = 2; i < q.size(); ++i) {
    if (q[i] < '0' || q[i] > '9') return std::nullopt;
    if (q[0] == '1' && q[i] != '0') return std::nullopt;  // above 1
    above_zero = above_zero || q[i] != '0';
  }
  return above_zero;
}

// One member "coding *( ; param )": its coding, and whether its weight is above zero.
std::pair<std::string_view, bool> ParseMember(std::string_view member) {
  const std::string_view coding = NextItem(member, ';');
  bool acceptable = true;
  while (!member.empty()) {
    const std::string_view param = NextItem(member, ';');
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos || !EqualsIgnoreCase(Trim(param.substr(0, eq)), "q")) {
      continue;  // not a weight: no meaning for content codings
    }
    acceptable = WeightAboveZero(Trim(param.substr(eq + 1))).value_or(false);
  }
  return {coding, acceptable};
}

}  // namespace

bool AcceptsGzip(std::optional<std::string_view> accept_encoding) {
  if (!accept_encoding) return false;
  std::string_view list = *accept_encoding;
  std::optional<bool> gzip, any;
  while (!list.empty()) {
    const std::string_view member = NextItem(list, ',');
    if (member.empty()) continue;
    const auto [coding, acceptable] = ParseMember(member);
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip = gzip.value_or(false) || acceptable;
    } else if (coding == "*") {
      any = any.value_or(false) || acceptable;
    }
  }
  return gzip.value_or(any.value_or(false));
}

StatusOr<std::string> Gzip(std::string_view text) {
  if (text.size() > std::numeric_limits<uInt>::max()) {
    return Status::Internal("gzip: the text is too large");
  }
  z_stream z{};
  if (deflateInit2(&z, kGzipLevel, Z_DEFLATED, kGzipWindowBits, kGzipMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: cannot initialise zlib");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));  // zlib reads only
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);  // deflateBound leaves room for all of it
  const size_t written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::Internal("gzip: zlib failed (" + std::to_string(rc) + ")");
  out.resize(written);
  return out;
}

}  // namespace boxoffice::http
