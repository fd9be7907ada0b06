// Crash safety: a child process writes through a SqliteStore and reports every
// acknowledged batch on a pipe; the parent kills it with SIGKILL at a random
// moment, reopens the file and checks that every acknowledged booking is
// there, that batches committed in submission order, and that the file is
// consistent. Several rounds share one file, so each round also recovers the
// previous round's crash.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <random>
#include <set>

#include "store/sqlite_store.h"
#include "store/store_test_util.h"
#include "testing/seed.h"

namespace boxoffice::store {
namespace {

using testing::Booking;
using testing::Hold;
using testing::TempDir;

constexpr uint64_t kRefusedFlag = uint64_t{1} << 63;
constexpr int kChildBatchesMax = 900'000;

SeatIndex FirstSeat(BookingId id) { return static_cast<SeatIndex>(2 * id); }

// Batch i: books seats {2i, 2i+1}, closes hold i-1, places hold i, sets the
// show's version to i.
Batch ChildBatch(ShowId show, BookingId i) {
  Batch b;
  if (i > 1) b.records.push_back(HoldClosed{.show_id = show, .hold_id = i - 1});
  b.records.push_back(Booking(show, i, {FirstSeat(i), FirstSeat(i) + 1}));
  b.records.push_back(Hold(show, i, {FirstSeat(i) + 2}));
  b.records.push_back(ShowVersion{.show_id = show, .version = i});
  return b;
}

// Runs in the child: never returns. No gtest here; errors end the process.
[[noreturn]] void RunChild(const std::string& path, ShowId show, int ack_fd, uint64_t seed) {
  StatusOr<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(path);
  if (!opened.ok()) _exit(2);
  SqliteStore& store = **opened;
  auto ack = [ack_fd](uint64_t word) {
    if (write(ack_fd, &word, sizeof word) != sizeof word) _exit(3);
  };
  std::mt19937_64 rng(seed);
  for (BookingId i = 1; i <= kChildBatchesMax; ++i) {
    store.Submit(ChildBatch(show, i), [ack, i](Status s) { ack(s.ok() ? i : (i | kRefusedFlag)); });
    if (rng() % 64 == 0) store.Flush();  // bursts of varying size
  }
  store.Close();
  _exit(0);
}

// Reads whole 8-byte words from `fd` until `deadline` (or EOF if none).
void ReadAcks(int fd, std::string& pending, std::vector<uint64_t>& acks,
              std::optional<std::chrono::steady_clock::time_point> deadline) {
  char buf[4096];
  while (true) {
    int timeout_ms = -1;
    if (deadline) {
      auto left = *deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return;
      timeout_ms =
          static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 1);
    }
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, timeout_ms) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return;  // EOF: the child is gone
    pending.append(buf, static_cast<size_t>(n));
    size_t whole = pending.size() / sizeof(uint64_t) * sizeof(uint64_t);
    for (size_t at = 0; at < whole; at += sizeof(uint64_t)) {
      uint64_t word;
      std::memcpy(&word, pending.data() + at, sizeof word);
      acks.push_back(word);
    }
    pending.erase(0, whole);
  }
}

void CheckRound(SqliteStore& store, ShowId show, const std::vector<uint64_t>& acks) {
  ASSERT_TRUE(store.CheckIntegrity().ok()) << store.CheckIntegrity().message();
  StatusOr<Snapshot> snap = store.Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();

  std::set<BookingId> acked;
  for (uint64_t word : acks) {
    BookingId id = word & ~kRefusedFlag;
    ASSERT_EQ(word & kRefusedFlag, 0u) << "batch " << id << " was refused";
    acked.insert(id);
  }
  std::set<BookingId> loaded;
  for (const BookingRecord& b : snap->bookings) {
    if (b.show_id != show) continue;
    EXPECT_EQ(b.seats,
              (std::vector<SeatIndex>{FirstSeat(b.booking_id), FirstSeat(b.booking_id) + 1}));
    loaded.insert(b.booking_id);
  }
  for (BookingId id : acked)
    EXPECT_TRUE(loaded.count(id)) << "acknowledged booking " << id << " lost";
  // Batches commit in submission order: the bookings are exactly 1..n.
  if (!loaded.empty()) {
    EXPECT_EQ(*loaded.begin(), 1u);
    EXPECT_EQ(*loaded.rbegin(), loaded.size());
  }
  for (const ShowVersion& v : snap->versions) {
    if (v.show_id == show) {
      EXPECT_EQ(v.version, loaded.size());
    }
  }
  for (const HoldRecord& h : snap->live_holds) {
    if (h.show_id == show) {
      EXPECT_EQ(h.hold_id, loaded.size()) << "only the newest hold is live";
    }
  }
  std::printf("  show %llu: %zu acknowledged, %zu committed\n",
              static_cast<unsigned long long>(show), acked.size(), loaded.size());
}

TEST(SqliteStoreCrash, AcknowledgedBatchesSurviveSigkillAtAnyMoment) {
  uint64_t seed = boxoffice::testing::TestSeed("AcknowledgedBatchesSurviveSigkillAtAnyMoment");
  std::mt19937_64 rng(seed);
  TempDir dir;
  std::string path = dir.File("crash.db");
  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    ShowId show = static_cast<ShowId>(round + 1);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    uint64_t child_seed = rng();
    // Half the rounds die early: while opening, recovering or creating the file.
    auto kill_after = std::chrono::microseconds(rng() % 2 == 0 ? rng() % 20'000 : rng() % 400'000);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      RunChild(path, show, fds[1], child_seed);
    }
    close(fds[1]);
    std::string pending;
    std::vector<uint64_t> acks;
    ReadAcks(fds[0], pending, acks, std::chrono::steady_clock::now() + kill_after);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ReadAcks(fds[0], pending, acks, std::nullopt);  // what it said before it died
    close(fds[0]);
    EXPECT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with " << WEXITSTATUS(wstatus);
    std::printf("round %d: killed after %lld us\n", round,
                static_cast<long long>(kill_after.count()));

    StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().message();
    CheckRound(**store, show, acks);
  }
}

}  // namespace
}  // namespace boxoffice::store
