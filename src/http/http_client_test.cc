#include "http/http_client.h"

#include <gtest/gtest.h>

namespace boxoffice::http {
namespace {

TEST(ParseHttpUrl, SplitsServerAndPath) {
  StatusOr<HttpUrl> a = ParseHttpUrl("http://127.0.0.1:8080/v1/payments/webhook");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->server.ip, "127.0.0.1");
  EXPECT_EQ(a->server.port, 8080);
  EXPECT_EQ(a->server.host, "127.0.0.1:8080");
  EXPECT_EQ(a->path, "/v1/payments/webhook");
  StatusOr<HttpUrl> b = ParseHttpUrl("http://gateway.internal");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->server.ip, "gateway.internal");  // a name, resolved on connect
  EXPECT_EQ(b->server.port, 80);
  EXPECT_EQ(b->path, "/");
  StatusOr<HttpUrl> c = ParseHttpUrl("http://[::1]:9/");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->server.ip, "::1");
  EXPECT_EQ(c->server.host, "[::1]:9");
}

TEST(ParseHttpUrl, RefusesWhatAClientCannotUse) {
  for (std::string_view url :
       {"", "127.0.0.1:80", "https://127.0.0.1/", "http://user:pw@127.0.0.1/", "http://h/?q=1",
        "http://h/#f", "http://h:0/", "http://h:70000/", "http:///path", "ftp://h/"}) {
    EXPECT_FALSE(ParseHttpUrl(url).ok()) << url;
  }
}

}  // namespace
}  // namespace boxoffice::http
