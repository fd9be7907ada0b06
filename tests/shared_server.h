// SharedServerTest: a GoogleTest fixture whose tests share one `boxoffice
// serve`, started once per suite with the flags the suite names, stopped
// (and required to exit 0) after its last test.
//
//   class AbuseTest : public SharedServerTest<AbuseTest> {
//    public:
//     static std::vector<std::string> ServerFlags() { return {"--queue-pow-bits=8"}; }
//   };
//   TEST_F(AbuseTest, X) { Reply r = api().Get("/healthz"); ... server() ... }
//
// Each test gets its own Api (one keep-alive connection). Thread-safety: as
// GoogleTest runs fixtures, on the test's thread.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api_client.h"
#include "server_process.h"

namespace boxoffice::itest {

template <typename Suite>
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess(Suite::ServerFlags());
    start_status_ = new Status(server_->Start());
  }
  static void TearDownTestSuite() {
    if (server_->running()) {
      const Status s = server_->Stop();
      EXPECT_TRUE(s.ok()) << s.message();
    }
    delete server_;
    delete start_status_;
    server_ = nullptr;
    start_status_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(start_status_->ok()) << start_status_->message();
    ASSERT_TRUE(server_->running()) << server_->Log();
    api_ = std::make_unique<Api>(server_->port());
  }

  Api& api() { return *api_; }
  static ServerProcess& server() { return *server_; }

  static inline ServerProcess* server_ = nullptr;
  static inline Status* start_status_ = nullptr;
  std::unique_ptr<Api> api_;
};

}  // namespace boxoffice::itest
