// boxoffice_baseline: the seed design's seat locks (Redis) or the naive
// PostgreSQL flow behind the part of the v1 API that `boxoffice bench`
// drives (baseline_api.h). The store runs elsewhere (bench/baselines/stores.sh
// starts one); this process keeps only the catalog and talks to the store
// from a pool of workers, one connection each.
//
//   boxoffice_baseline --store redis --redis-port 6390 --data DIR
//   boxoffice_baseline --store postgres --pg 'host=127.0.0.1 port=5490 dbname=postgres user=bench'
//   --data DIR
//
// DIR holds admin.key and jwt.secret (created when missing), as for
// `boxoffice serve`, so that `boxoffice bench --data DIR` works unchanged.
// Prints "listening on http://127.0.0.1:PORT" once it serves; SIGINT or
// SIGTERM stop it.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/secrets.h"
#include "baseline_api.h"
#include "http/server.h"
#include "metrics/metrics.h"
#ifdef BOXOFFICE_BASELINE_REDIS
#include "redis_store.h"
#endif
#ifdef BOXOFFICE_BASELINE_POSTGRES
#include "postgres_store.h"
#endif

namespace boxoffice::baselines {
namespace {

constexpr size_t kWorkersDefault = 16;

int Fail(const std::string& why) {
  std::fprintf(stderr, "boxoffice_baseline: %s\n", why.c_str());
  return 1;
}

struct Flags {
  std::string store;
  int redis_port = 6379;
  std::string pg_conninfo;
  std::string data_dir;
  uint16_t port = 0;
  unsigned io_threads = 0;
  size_t workers = kWorkersDefault;
};

StatusOr<WorkerPool::StoreFactory> Factory(const Flags& f) {
#ifdef BOXOFFICE_BASELINE_REDIS
  if (f.store == "redis") {
    return WorkerPool::StoreFactory(
        [port = f.redis_port] { return std::make_unique<RedisStore>("127.0.0.1", port); });
  }
#endif
#ifdef BOXOFFICE_BASELINE_POSTGRES
  if (f.store == "postgres") {
    PostgresStore schema(f.pg_conninfo);
    if (Status s = schema.CreateSchema(); !s.ok()) return s;
    return WorkerPool::StoreFactory(
        [conninfo = f.pg_conninfo] { return std::make_unique<PostgresStore>(conninfo); });
  }
#endif
  return Status::InvalidArgument("--store " + f.store + " is not built in");
}

int Run(int argc, char** argv) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Flags f;
  CLI::App app("boxoffice_baseline: a seed-design baseline behind the bench's part of the v1 API");
  app.add_option("--store", f.store, "redis or postgres")->required();
  app.add_option("--redis-port", f.redis_port, "the Redis server's port on 127.0.0.1");
  app.add_option("--pg", f.pg_conninfo, "the PostgreSQL connection string");
  app.add_option("--data", f.data_dir, "the directory of admin.key and jwt.secret")->required();
  app.add_option("--port", f.port, "the port to listen on, 0: any free one");
  app.add_option("--io-threads", f.io_threads, "HTTP io threads, 0: one per core");
  app.add_option("--workers", f.workers, "store connections (worker threads)")
      ->check(CLI::Range(size_t{1}, kWorkersMax))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (Status s = app::EnsureDirectory(f.data_dir); !s.ok()) return Fail(s.message());
  bool created = false;
  StatusOr<std::string> jwt = app::LoadOrCreateSecret(f.data_dir, app::kJwtSecretFile, &created);
  if (!jwt.ok()) return Fail(jwt.status().message());
  StatusOr<std::string> admin = app::LoadOrCreateSecret(f.data_dir, app::kAdminKeyFile, &created);
  if (!admin.ok()) return Fail(admin.status().message());
  StatusOr<WorkerPool::StoreFactory> factory = Factory(f);
  if (!factory.ok()) return Fail(factory.status().message());

  WorkerPool pool(f.workers, *factory, kQueuedJobsMaxDefault);
  BaselineApi api(&pool, {*admin, *jwt, service::ShowSettings{}});
  http::Router router;
  api.Register(router);
  http::ServerOptions options;
  options.port = f.port;
  options.io_threads = f.io_threads;
  options.body_bytes_max = 16 << 20;  // the bench posts its venue as one body
  metrics::Registry registry;
  http::Server server(options, std::move(router), registry);
  if (Status s = server.Start(); !s.ok()) return Fail(s.message());
  std::printf("listening on http://127.0.0.1:%u (store %s, %zu workers)\n", server.port(),
              f.store.c_str(), f.workers);
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  pool.Stop();
  return 0;
}

}  // namespace
}  // namespace boxoffice::baselines

int main(int argc, char** argv) { return boxoffice::baselines::Run(argc, argv); }
