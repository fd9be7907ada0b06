#include "http/content_coding.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/gunzip.h"

namespace boxoffice::http {
namespace {

std::string Gunzip(std::string_view gz) {
  StatusOr<std::string> text = testing::Gunzip(gz);
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? *text : "";
}

TEST(ContentCodingTest, GzipDecompressesToTheSameBytes) {
  std::string text = R"({"show_id":"s1","seats":{"data":")";
  for (int i = 0; i < 5000; ++i) text += static_cast<char>('A' + (i * 7919) % 26);
  text += std::string("\0\xff", 2) + "\"}}";
  StatusOr<std::string> gz = Gzip(text);
  ASSERT_TRUE(gz.ok()) << gz.status().message();
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1fu);  // the gzip magic
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8bu);
  EXPECT_LT(gz->size(), text.size());
  EXPECT_EQ(Gunzip(*gz), text);
  StatusOr<std::string> empty = Gzip("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(Gunzip(*empty), "");
}

TEST(ContentCodingTest, GzipIsAcceptedWhenListedWithAWeightAboveZero) {
  for (const char* v : {"gzip", "GZip", "x-gzip", "deflate, gzip", "gzip;q=1", "gzip; q=0.5",
                        "br;q=1.0, gzip;Q=0.001", "*", "*;q=0.1", "identity, *", "gzip ,br"}) {
    EXPECT_TRUE(AcceptsGzip(std::string_view(v))) << v;
  }
}

TEST(ContentCodingTest, GzipIsRefusedWhenAbsentWeightedZeroOrMalformed) {
  EXPECT_FALSE(AcceptsGzip(std::nullopt));
  for (const char* v : {"", "identity", "br, deflate", "gzip;q=0", "gzip; q=0.000", "GZIP;Q=0",
                        "gzip;q=0, *", "*;q=0", "*;q=0, br", "gzipx", "gzip;q=2", "gzip;q=1.5",
                        "gzip;q=0.0000", "gzip;q=abc", "gzip;q=", "x-gzip;q=0, *;q=1"}) {
    EXPECT_FALSE(AcceptsGzip(std::string_view(v))) << v;
  }
}

}  // namespace
}  // namespace boxoffice::http
