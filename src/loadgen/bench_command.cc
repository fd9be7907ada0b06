#include "loadgen/bench_command.h"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "loadgen/plot.h"
#include "loadgen/queue_storm.h"
#include "loadgen/simulator.h"

namespace boxoffice::loadgen {
namespace {

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitError = 2;
constexpr rlim_t kSpareFileDescriptors = 64;

int Usage() {
  std::fprintf(
      stderr,
      "usage: boxoffice bench onsale|hotseat|queue --url http://127.0.0.1:PORT (--data DIR | "
      "--admin-key-file F "
      "--jwt-secret-file F) [options]\n"
      "       boxoffice bench onsale --help\n");
  return kExitError;
}

int Error(const std::string& what) {
  std::fprintf(stderr, "boxoffice bench: %s\n", what.c_str());
  return kExitError;
}

// The first line of a file, without surrounding whitespace.
StatusOr<std::string> ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path);
  std::string line;
  std::getline(in, line);
  const size_t first = line.find_first_not_of(" \t\r\n");
  const size_t last = line.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) return Status::InvalidArgument(path + " is empty");
  return line.substr(first, last - first + 1);
}

// Each connection needs a file descriptor: raise the soft limit if needed.
Status EnsureFileDescriptors(uint32_t connections) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return Status::IoError("getrlimit(RLIMIT_NOFILE) failed");
  const rlim_t need = connections + kSpareFileDescriptors;
  if (lim.rlim_cur >= need) return Status::Ok();
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < need) {
    return Status::ResourceExhausted(
        std::to_string(connections) + " connections need " + std::to_string(need) +
        " file descriptors; the hard limit is " + std::to_string(lim.rlim_max));
  }
  lim.rlim_cur = need;
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
    return Status::IoError("setrlimit(RLIMIT_NOFILE) failed");
  return Status::Ok();
}

struct Flags {
  std::string url;
  std::string data_dir;
  std::string admin_key_file;
  std::string jwt_secret_file;
  std::string profile = "all-at-once";
  std::string payment = "box-office";
  std::string json_file;
  std::string plot_file;
  uint32_t timeout_s = 30;
  bool quiet = false;
  bool seed_given = false;
};

// The waiting room's settings: `bench queue` always has the room on,
// `bench onsale --queue` turns it on.
void AddQueueFlags(CLI::App& app, QueueSettings& q) {
  app.add_option("--queue-rate", q.admissions_per_minute, "the room's admissions per minute")
      ->capture_default_str();
  app.add_option("--shoppers-max", q.shoppers_max, "the room's active shoppers at most")
      ->capture_default_str();
  app.add_option("--session-s", q.session_s, "a shopping session's length")->capture_default_str();
  app.add_option("--onsale-in-s", q.onsale_in_s,
                 "the on-sale (the pre-queue's draw) this long after the room opens")
      ->capture_default_str();
}

// Flags every scenario has.
void AddCommonFlags(CLI::App& app, BenchOptions& o, Flags& f) {
  app.add_option("--url", f.url, "the server, http://127.0.0.1:PORT (loopback only)")->required();
  app.add_option("--data", f.data_dir,
                 "the server's data directory: reads admin.key and jwt.secret there");
  app.add_option("--admin-key-file", f.admin_key_file, "a file holding the admin key");
  app.add_option("--jwt-secret-file", f.jwt_secret_file,
                 "a file holding the JWT secret (signs fan tokens)");
  app.add_option("--fans", o.fans, "fans who come")->capture_default_str();
  app.add_option("--connections", o.connections,
                 "keep-alive connections (requests in flight at most)")
      ->capture_default_str();
  app.add_option("--client-threads", o.client_threads, "client threads")->capture_default_str();
  app.add_option("--timeout-s", f.timeout_s, "per-request timeout")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed (default: a fresh one, printed)");
  app.add_option("--json", f.json_file, "also write the report as JSON to this file");
  app.add_flag("--quiet", f.quiet, "no progress lines");
}

void AddSaleFlags(CLI::App& app, BenchOptions& o, Flags& f) {
  app.add_option("--fans-inside", o.fans_inside_max,
                 "fans inside at once; later arrivals wait outside")
      ->capture_default_str();
  app.add_option(
         "--seats", o.seats,
         o.scenario == Scenario::kOnsale ? "seats of the venue" : "the hot seats (the whole venue)")
      ->capture_default_str();
  app.add_option("--hold-ttl-s", o.hold_ttl_s, "the show's hold TTL")->capture_default_str();
  app.add_option("--attempts", o.attempts, "hold attempts per fan")->capture_default_str();
  if (o.scenario == Scenario::kOnsale) {
    app.add_option("--abandon", o.abandon, "share of holds left to expire")->capture_default_str();
    app.add_option("--release", o.release, "share of holds released, then try again (the rest pay)")
        ->capture_default_str();
    app.add_option("--pay", f.payment,
                   "how fans pay: box-office (the organiser confirms) or checkout (through the "
                   "server's payment gateway, which must settle by itself: gateway_auto_pay_ms)")
        ->check(CLI::IsMember({"box-office", "checkout"}))
        ->capture_default_str();
    app.add_option("--best-available", o.best_available,
                   "share of fans asking for the best available")
        ->capture_default_str();
    app.add_flag("--queue", o.queue.enabled,
                 "fans go through the show's waiting room (join, wait, get an access token)");
    AddQueueFlags(app, o.queue);
  }
  app.add_option("--profile", f.profile, "arrivals: all-at-once, ramp or steady")
      ->check(CLI::IsMember({"all-at-once", "ramp", "steady"}))
      ->capture_default_str();
  app.add_option("--duration-s", o.duration_s, "the span of arrivals (ramp, steady)")
      ->capture_default_str();
  app.add_option("--plot", f.plot_file,
                 "also draw latency and bookings over time into this SVG file");
}

void AddFlags(CLI::App& app, BenchOptions& o, Flags& f) {
  AddCommonFlags(app, o, f);
  if (o.scenario != Scenario::kQueue) return AddSaleFlags(app, o, f);
  app.add_option("--polls-per-fan", o.polls_per_fan, "status polls per fan after the joins")
      ->capture_default_str();
  AddQueueFlags(app, o.queue);
}

// Fills in what the flags point to: URL, admin key, JWT secret, profile, seed.
Status Complete(const Flags& f, BenchOptions& o) {
  StatusOr<ServerAddress> server = ParseLoopbackUrl(f.url);
  if (!server.ok()) return server.status();
  o.server = *server;
  const std::string key_file = !f.admin_key_file.empty() ? f.admin_key_file
                               : !f.data_dir.empty()     ? f.data_dir + "/admin.key"
                                                         : "";
  const std::string secret_file = !f.jwt_secret_file.empty() ? f.jwt_secret_file
                                  : !f.data_dir.empty()      ? f.data_dir + "/jwt.secret"
                                                             : "";
  if (key_file.empty() || secret_file.empty()) {
    return Status::InvalidArgument("give --data DIR, or --admin-key-file and --jwt-secret-file");
  }
  StatusOr<std::string> key = ReadFirstLine(key_file);
  if (!key.ok()) return key.status();
  StatusOr<std::string> secret = ReadFirstLine(secret_file);
  if (!secret.ok()) return secret.status();
  o.admin_key = *key;
  o.jwt_secret = *secret;
  o.profile = ParseArrivalProfile(f.profile).value_or(ArrivalProfile::kAllAtOnce);
  o.payment = ParsePayment(f.payment).value_or(Payment::kBoxOffice);
  o.request_timeout = std::chrono::seconds(f.timeout_s);
  o.progress = !f.quiet;
  if (!f.seed_given) o.seed = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  return ValidateOptions(o);
}

BenchOptions Defaults(Scenario s) {
  BenchOptions o;
  o.scenario = s;
  if (s == Scenario::kQueue) {
    o.fans = 100'000;
    o.connections = 200;
    o.seats = 100;
    o.queue.enabled = true;
    o.queue.onsale_in_s = 3'600;  // nobody is admitted during the storm
  }
  if (s == Scenario::kHotseat) {
    o.fans = 5'000;
    o.connections = 200;
    o.seats = 10;
    o.attempts = 3;
    o.abandon = 0;
    o.release = 0;
  }
  return o;
}

std::string_view Purpose(Scenario s) {
  switch (s) {
    case Scenario::kOnsale:
      return "simulate an on-sale against a running server, then audit it";
    case Scenario::kHotseat:
      return "simulate a crowd wanting the same few seats against a running server, then audit it";
    case Scenario::kQueue:
      return "a storm of fans joining a show's waiting room, then polling its status: joins/s, "
             "polls/s, latencies and the server's memory per queued fan";
  }
  return "";
}

// Prints the text report on stdout, writes the other renderings to their
// files (when named); the exit code.
template <typename Report>
int Emit(const Report& report,
         std::initializer_list<std::pair<std::string, std::string (*)(const Report&)>> files,
         std::string (*text)(const Report&)) {
  std::fputs(text(report).c_str(), stdout);
  std::fflush(stdout);
  for (const auto& [file, render] : files) {
    if (file.empty()) continue;
    std::ofstream out(file, std::ios::trunc);
    out << render(report);
    if (!out.good()) return Error("cannot write " + file);
  }
  return report.ok() ? kExitPass : kExitFail;
}

}  // namespace

BenchCommandLine ParseBenchCommandLine(int argc, char** argv) {
  BenchCommandLine out;
  if (argc < 1) {
    out.exit_code = Usage();
    return out;
  }
  const std::string name = argv[0];
  Scenario scenario;
  if (name == "onsale") {
    scenario = Scenario::kOnsale;
  } else if (name == "hotseat") {
    scenario = Scenario::kHotseat;
  } else if (name == "queue") {
    scenario = Scenario::kQueue;
  } else {
    out.exit_code = Usage();
    return out;
  }
  out.options = Defaults(scenario);
  Flags f;
  CLI::App app("boxoffice bench " + name + ": " + std::string(Purpose(scenario)));
  app.name("boxoffice bench " + name);
  AddFlags(app, out.options, f);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    out.exit_code = app.exit(e);
    return out;
  }
  f.seed_given = app.count("--seed") > 0;
  if (Status s = Complete(f, out.options); !s.ok()) {
    out.exit_code = Error(s.message());
    return out;
  }
  out.json_file = f.json_file;
  out.plot_file = f.plot_file;
  return out;
}

int RunBench(int argc, char** argv) {
  const BenchCommandLine line = ParseBenchCommandLine(argc, argv);
  if (line.exit_code) return *line.exit_code;
  const BenchOptions& o = line.options;
  if (Status s = EnsureFileDescriptors(o.connections); !s.ok()) return Error(s.message());
  std::fprintf(stderr, "boxoffice bench %s: seed %llu\n",
               std::string(ScenarioName(o.scenario)).c_str(),
               static_cast<unsigned long long>(o.seed));
  if (o.scenario == Scenario::kQueue) {
    StatusOr<QueueStormReport> report = RunQueueStorm(o, stderr);
    if (!report.ok()) return Error(report.status().message());
    return Emit(*report, {{line.json_file, &RenderQueueJson}}, &RenderQueueText);
  }
  StatusOr<BenchReport> report = RunScenario(o, stderr);
  if (!report.ok()) return Error(report.status().message());
  return Emit(*report, {{line.json_file, &RenderJson}, {line.plot_file, &RenderSvg}}, &RenderText);
}

}  // namespace boxoffice::loadgen
