// The web pages over real sockets: pages and assets with their headers (CSP,
// nosniff, caching, strong ETags, gzip), 304 on a matching If-None-Match,
// only the allowlist (traversal, encoded slashes, unknown versions, overlong
// paths are 404 or refused), and a web root that serves the same allowlist
// from disk and nothing else in it.
#include "http/web_assets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "http/content_coding.h"
#include "http/server.h"
#include "http/test_client.h"

namespace boxoffice::http {
namespace {

class WebPagesTest : public ::testing::Test {
 protected:
  void Start(WebPagesOptions options = {}) {
    pages_ = std::make_unique<WebPages>(std::move(options));
    Router router;
    pages_->Register(router);
    server_ = std::make_unique<Server>(ServerOptions{}, std::move(router), registry_);
    ASSERT_TRUE(server_->Start().ok());
  }
  ~WebPagesTest() override {
    if (server_) server_->Stop();
  }
  ClientResponse Get(std::string_view target, TestClient::HeaderList headers = {}) {
    TestClient c("127.0.0.1", server_->port());
    StatusOr<ClientResponse> r = c.Request("GET", target, {}, headers);
    EXPECT_TRUE(r.ok()) << target << ": " << r.status().message();
    return r.ok() ? *r : ClientResponse{};
  }
  std::string Asset(std::string_view file) {
    return std::string(kWebStaticPrefix) + std::string(pages_->version()) + "/" + std::string(file);
  }

  metrics::Registry registry_;
  std::unique_ptr<WebPages> pages_;
  std::unique_ptr<Server> server_;
};

TEST_F(WebPagesTest, APageHasAStrictPolicyAndIsRevalidated) {
  Start();
  const ClientResponse r = Get("/shows/s1");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers.Get("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.headers.Get("Content-Security-Policy"), kWebContentSecurityPolicy);
  EXPECT_NE(std::string(kWebContentSecurityPolicy).find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(std::string(kWebContentSecurityPolicy).find("unsafe"), std::string::npos);
  EXPECT_EQ(r.headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.headers.Get("Cache-Control"), "no-cache");
  EXPECT_EQ(r.body.find("{{v}}"), std::string::npos);
  EXPECT_NE(r.body.find(Asset("js/")), std::string::npos) << "pages load versioned assets";
  EXPECT_EQ(r.body.find("<script>"), std::string::npos) << "no inline scripts";
}

TEST_F(WebPagesTest, AnAssetIsImmutableWithAStrongETagAndGzip) {
  Start();
  const ClientResponse plain = Get(Asset("js/seatmap.js"));
  ASSERT_EQ(plain.status, 200u);
  EXPECT_EQ(plain.headers.Get("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(plain.headers.Get("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(plain.headers.Get("X-Content-Type-Options"), "nosniff");
  const std::string etag(plain.headers.Get("ETag").value_or(""));
  ASSERT_GE(etag.size(), 34u);
  EXPECT_FALSE(etag.starts_with("W/")) << "strong";
  EXPECT_FALSE(plain.headers.Has("Content-Encoding"));

  const ClientResponse gz = Get(Asset("js/seatmap.js"), {{"Accept-Encoding", "gzip, br"}});
  ASSERT_EQ(gz.status, 200u);
  EXPECT_EQ(gz.headers.Get("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.headers.Get("Vary"), "Accept-Encoding");
  EXPECT_NE(gz.headers.Get("ETag"), etag) << "each coding has its own strong ETag";
  EXPECT_LT(gz.body.size(), plain.body.size());

  const ClientResponse again = Get(Asset("js/seatmap.js"), {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
}

TEST_F(WebPagesTest, OnlyTheAllowlistIsServed) {
  Start();
  const std::string v = std::string(pages_->version());
  for (const std::string& target : std::vector<std::string>{
           "/static/" + v + "/js/../pages/shows.html",
           "/static/" + v + "/js/%2e%2e/pages/shows.html",
           "/static/" + v + "/js%2fseatmap.js",
           "/static/" + v + "/js%2Fseatmap.js",
           "/static/" + v + "/..%2f..%2fetc%2fpasswd",
           "/static/" + v + "/%2e%2e%2f%2e%2e%2fCMakeLists.txt",
           "/static/" + v + "/pages/shows.html",
           "/static/" + v + "/package.json",
           "/static/" + v + "/",
           "/static/0000/js/seatmap.js",
           "/static/" + v + "/js/seatmap.js/",
           "/static/" + v + "/js/seatmap.js%00.html",
           "/static/" + v + "/" + std::string(3000, 'a') + ".js",
           "/shows/s1/../../etc/passwd",
           "/web/js/seatmap.js",
       }) {
    const ClientResponse r = Get(target);
    EXPECT_TRUE(r.status == 404 || r.status == 400 || r.status == 414)
        << target << " -> " << r.status;
    EXPECT_EQ(r.body.find("<html"), std::string::npos) << target;
  }
}

TEST_F(WebPagesTest, AWebRootServesTheSameAllowlistFromDisk) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("boxoffice-web-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "js");
  std::filesystem::create_directories(root / "pages");
  std::ofstream(root / "js" / "seatmap.js") << "export const x = 1;\n";
  std::ofstream(root / "pages" / "shows.html") << "<p>{{v}}</p>\n";
  std::ofstream(root / "secret.txt") << "not served\n";
  Start({root.string()});
  EXPECT_EQ(pages_->version(), kWebDevVersion);
  const ClientResponse js = Get(Asset("js/seatmap.js"));
  ASSERT_EQ(js.status, 200u);
  EXPECT_EQ(js.body, "export const x = 1;\n");
  EXPECT_EQ(js.headers.Get("Cache-Control"), "no-cache");
  const ClientResponse gz = Get(Asset("js/seatmap.js"), {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gz.headers.Get("Content-Encoding"), "gzip");
  EXPECT_EQ(Get("/").body, "<p>dev</p>\n");
  EXPECT_EQ(Get("/static/dev/secret.txt").status, 404u);
  EXPECT_EQ(Get(Asset("css/app.css")).status, 404u) << "allowlisted, but not in this root";
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace boxoffice::http
