#include "loadgen/loopback_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace boxoffice::loadgen {
namespace {

using ::testing::HasSubstr;

TEST(ParseLoopbackUrl, AcceptsTheThreeLoopbackSpellings) {
  StatusOr<ServerAddress> a = ParseLoopbackUrl("http://127.0.0.1:8080");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->ip, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->host, "127.0.0.1:8080");

  StatusOr<ServerAddress> b = ParseLoopbackUrl("http://LocalHost:9/");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->ip, "127.0.0.1");
  EXPECT_EQ(b->port, 9);
  EXPECT_EQ(b->host, "LocalHost:9");

  StatusOr<ServerAddress> c = ParseLoopbackUrl("http://[::1]:443");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ip, "::1");
  EXPECT_EQ(c->host, "[::1]:443");
  EXPECT_EQ(c->Url(), "http://[::1]:443");

  StatusOr<ServerAddress> d = ParseLoopbackUrl("http://127.0.0.1");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->port, 80);
}

TEST(ParseLoopbackUrl, RefusesEveryOtherHost) {
  for (const char* url :
       {"http://10.0.0.1:80", "http://127.0.0.2:80", "http://0.0.0.0:80", "http://example.com",
        "http://localhost.example.com:80", "http://[::2]:80", "http://[::ffff:127.0.0.1]:80",
        "http://192.168.1.1", "http://8.8.8.8:53"}) {
    StatusOr<ServerAddress> a = ParseLoopbackUrl(url);
    EXPECT_FALSE(a.ok()) << url;
    EXPECT_THAT(a.status().message(), HasSubstr("refusing --url")) << url;
  }
}

TEST(ParseLoopbackUrl, RefusesOtherSchemesCredentialsPathsAndBadPorts) {
  for (const char* url : {"https://127.0.0.1:443", "ftp://127.0.0.1", "http://user:pw@127.0.0.1:80",
                          "http://127.0.0.1:80/v1", "http://127.0.0.1:80/?q=1",
                          "http://127.0.0.1:80#x", "http://127.0.0.1:0", "http://127.0.0.1:65536",
                          "http://127.0.0.1:-1", "127.0.0.1:80", "", "http://"}) {
    EXPECT_FALSE(ParseLoopbackUrl(url).ok()) << url;
  }
}

}  // namespace
}  // namespace boxoffice::loadgen
