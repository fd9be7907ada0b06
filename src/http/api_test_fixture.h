// ApiServerTest: the API in process, over real sockets, for the API's own
// tests: a SqliteStore in a temporary directory, the booking service on the
// fixture's clock, the routes on a Server, and a client. Tests only.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "http/api.h"
#include "http/catalog_codec.h"
#include "http/jwt.h"
#include "http/server.h"
#include "http/test_client.h"
#include "service/system_clock.h"
#include "store/sqlite_store.h"

namespace boxoffice::http {

inline constexpr char kTestJwtSecret[] = "jwt-secret-for-tests-0123456789abcdef";
inline constexpr char kTestAdminKey[] = "admin-key-for-tests";

class ApiServerTest : public ::testing::Test {
 protected:
  // `clock`: the service's (the test's own fake one, alive as long as the
  // test), or the system's when null.
  explicit ApiServerTest(const core::Clock* clock = nullptr)
      : clock_(clock != nullptr ? *clock : system_clock_) {
    char tmpl[] = "/tmp/boxoffice-api-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~ApiServerTest() override {
    StopServing();
    StopService();
    std::filesystem::remove_all(dir_);
  }
  // Closes the client and stops the server (idempotent).
  void StopServing() {
    if (client_) client_->Close();
    if (server_) server_->Stop();
    client_.reset();
    server_.reset();
  }
  // Stops the service and closes the store (idempotent).
  void StopService() {
    if (svc_) svc_->Stop();
    if (store_) store_->Close();
  }

  // Opens the store and the service (Wire runs before Recover), then serves.
  void StartServer() {
    auto s = store::SqliteStore::Open(dir_ + "/boxoffice.db");
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
    svc_ = std::make_unique<service::BookingService>(*store_, codec_, clock_, registry_);
    Wire(*svc_);
    ASSERT_TRUE(svc_->Recover().ok());
    api_ = std::make_unique<Api>(svc_.get(), ApiOptions{kTestJwtSecret, kTestAdminKey, {}},
                                 &registry_);
    api_->SetReady(true);
    Router router;
    api_->Register(router);
    ServerOptions options;
    options.io_threads = 2;
    server_ = std::make_unique<Server>(options, std::move(router), registry_);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<TestClient>("127.0.0.1", server_->port());
  }
  virtual void Wire(service::BookingService&) {}

  StatusOr<ClientResponse> Call(std::string_view method, std::string_view target,
                                std::string_view body, TestClient::HeaderList headers) {
    headers.emplace_back("Content-Type", "application/json");
    return client_->Request(method, target, body, headers);
  }
  static TestClient::HeaderList Admin() { return {{"X-Admin-Key", kTestAdminKey}}; }
  TestClient::HeaderList Fan(const std::string& user) const {
    JwtClaims c;
    c.sub = user;
    c.exp_s = clock_.WallMs() / 1000 + 3600;
    return {{"Authorization", "Bearer " + SignJwt(c, kTestJwtSecret)}};
  }

  std::string dir_;
  service::SystemClock system_clock_;
  const core::Clock& clock_;
  JsonCatalogCodec codec_;
  metrics::Registry registry_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<service::BookingService> svc_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<TestClient> client_;
};

}  // namespace boxoffice::http
