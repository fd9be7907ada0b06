#include "loadgen/loopback_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace boxoffice::loadgen {
namespace {

bool IsLocalhostName(std::string_view name) {
  constexpr std::string_view kLocalhost = "localhost";
  if (name.size() != kLocalhost.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c =
        name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] - 'A' + 'a') : name[i];
    if (c != kLocalhost[i]) return false;
  }
  return true;
}

Status Refuse(std::string_view url, std::string_view why) {
  return Status::InvalidArgument("refusing --url " + std::string(url) + ": " + std::string(why) +
                                 " (only http://127.0.0.1, http://localhost or http://[::1])");
}

}  // namespace

StatusOr<ServerAddress> ParseLoopbackUrl(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Refuse(url, "not a URL");
  const boost::urls::url_view u = *parsed;
  if (u.scheme() != "http") return Refuse(url, "the scheme must be http");
  if (u.has_userinfo()) return Refuse(url, "no credentials in the URL");
  if (u.has_query() || u.has_fragment() || (!u.encoded_path().empty() && u.encoded_path() != "/")) {
    return Refuse(url, "give the server's root, without path, query or fragment");
  }
  ServerAddress a;
  const std::string host = u.host();
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      if (host != "127.0.0.1") return Refuse(url, "not a loopback address");
      a.ip = "127.0.0.1";
      break;
    case boost::urls::host_type::ipv6:
      if (!u.host_ipv6_address().is_loopback()) return Refuse(url, "not a loopback address");
      a.ip = "::1";
      break;
    case boost::urls::host_type::name:
      if (!IsLocalhostName(host))
        return Refuse(url, "host names other than localhost are not resolved");
      a.ip = "127.0.0.1";
      break;
    default:
      return Refuse(url, "no host");
  }
  if (u.has_port()) {
    const std::string_view port = u.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > UINT16_MAX) {
      return Refuse(url, "the port must be 1..65535");
    }
    a.port = static_cast<uint16_t>(value);
  }
  a.host = std::string(u.encoded_host_and_port());
  return a;
}

}  // namespace boxoffice::loadgen
