#include "http/web_assets.h"

#include <fstream>
#include <sstream>

#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "http/api_detail.h"
#include "http/content_coding.h"

namespace boxoffice::http {
namespace {

// The pages: a route pattern and the HTML file it answers with.
struct PageRoute {
  std::string_view pattern;
  std::string_view file;
};
constexpr PageRoute kPages[] = {
    {"/", "pages/shows.html"},
    {"/signin", "pages/signin.html"},
    {"/shows/{id}", "pages/seats.html"},
    {"/shows/{id}/queue", "pages/queue.html"},
    {"/holds/{id}", "pages/hold.html"},
    {"/admin", "pages/admin.html"},
    {"/admin/shows/{id}", "pages/dashboard.html"},
    {"/checkin", "pages/checkin.html"},
};

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

const WebAsset* FindEmbedded(std::string_view path) {
  for (const WebAsset& a : EmbeddedWebAssets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

void SetCommonHeaders(Response& r) {
  r.headers.Set("X-Content-Type-Options", "nosniff");
  r.headers.Set("Content-Security-Policy", std::string(kWebContentSecurityPolicy));
  r.headers.Set("Referrer-Policy", "no-referrer");
  r.headers.Set("X-Frame-Options", "DENY");
}

// A file of the web root as served in development: read now, HTML with the
// version filled in, hashed for its ETag. Empty data when it cannot be read.
struct Loaded {
  std::string data;
  std::string etag;
  bool ok = false;
};

Loaded LoadFromRoot(const std::string& root, std::string_view path) {
  Loaded out;
  std::ifstream in(root + "/" + std::string(path), std::ios::binary);
  if (!in) return out;
  std::ostringstream s;
  s << in.rdbuf();
  out.data = s.str();
  if (path.ends_with(".html")) {
    for (size_t at; (at = out.data.find("{{v}}")) != std::string::npos;) {
      out.data.replace(at, 5, kWebDevVersion);
    }
  }
  const crypto::Sha256Digest digest = crypto::Sha256(out.data);
  out.etag = crypto::HexEncode(crypto::AsChars(digest)).substr(0, 32);
  out.ok = true;
  return out;
}

}  // namespace

WebPages::WebPages(WebPagesOptions options) : options_(std::move(options)) {}

std::string_view WebPages::version() const {
  return options_.web_root.empty() ? EmbeddedWebVersion() : kWebDevVersion;
}

void WebPages::Register(Router& router) {
  for (const WebAsset& a : EmbeddedWebAssets()) {
    bodies_[&a] = Bodies{std::make_shared<const std::string>(a.data),
                         std::make_shared<const std::string>(a.gzip)};
  }
  for (const PageRoute& p : kPages) {
    const WebAsset* asset = FindEmbedded(p.file);
    BOX_ASSERT(asset != nullptr);  // the build embeds every page
    router.Add(Method::kGet, p.pattern, [this, asset](Request&& req, Responder respond) {
      Serve(*asset, true, req, std::move(respond));
    });
  }
  const std::string prefix = std::string(kWebStaticPrefix) + std::string(version()) + "/";
  for (const WebAsset& a : EmbeddedWebAssets()) {
    if (a.path.starts_with("pages/")) continue;
    router.Add(Method::kGet, prefix + std::string(a.path),
               [this, asset = &a](Request&& req, Responder respond) {
                 Serve(*asset, false, req, std::move(respond));
               });
  }
}

void WebPages::Serve(const WebAsset& asset, bool page, const Request& req,
                     Responder respond) const {
  Loaded loaded;
  std::string_view etag_hex = asset.etag;
  if (!options_.web_root.empty()) {
    loaded = LoadFromRoot(options_.web_root, asset.path);
    if (!loaded.ok) return respond(api_detail::NotFound("not in the web root"));
    etag_hex = loaded.etag;
  }
  const bool gzip = AcceptsGzip(req.Header("Accept-Encoding"));
  const std::string etag = "\"" + std::string(etag_hex) + (gzip ? "-gz\"" : "\"");
  Response r;
  r.status = 200;
  SetCommonHeaders(r);
  r.headers.Set("ETag", etag);
  r.headers.Set("Vary", "Accept-Encoding");
  r.headers.Set("Cache-Control",
                page || !options_.web_root.empty() ? "no-cache" : std::string(kImmutable));
  if (api_detail::IfNoneMatchHas(req.Header("If-None-Match"), etag)) {
    r.status = 304;
    return respond(std::move(r));
  }
  r.content_type = std::string(asset.content_type);
  if (options_.web_root.empty()) {
    const Bodies& b = bodies_.at(&asset);
    r.body = Body(gzip ? b.gzip : b.identity);
  } else if (!gzip) {
    r.body = std::move(loaded.data);
  } else {
    StatusOr<std::string> z = Gzip(loaded.data);
    if (!z.ok()) return respond(api_detail::FromStatus(z.status()));
    r.body = std::move(z).value();
  }
  if (gzip) r.headers.Set("Content-Encoding", "gzip");
  respond(std::move(r));
}

}  // namespace boxoffice::http
