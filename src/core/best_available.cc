#include "core/best_available.h"

#include <algorithm>
#include <cstdlib>

namespace boxoffice::core {
namespace {

struct Window {
  SeatIndex first = kNoSeat;
  uint32_t distance2 = UINT32_MAX;  // twice the distance from the row centre
  bool orphan = true;
  bool found() const { return first != kNoSeat; }
};

class Search {
 public:
  Search(const SeatMap& map, std::span<const SeatState> states, const BestAvailableRequest& req)
      : map_(map), states_(states), req_(req) {}

  bool RowMayFit(const Row& row, uint16_t free) const {
    if (free < req_.count) return false;
    if (req_.category && (row.category_mask & (uint64_t{1} << *req_.category)) == 0) return false;
    if (req_.accessible_only && row.accessible_count < req_.count) return false;
    return true;
  }

  bool Eligible(SeatIndex i) const {
    if (states_[i] != SeatState::kFree) return false;
    const Seat& s = map_.seat(i);
    if (req_.category && s.category != *req_.category) return false;
    if (req_.accessible_only && !s.accessible) return false;
    return true;
  }

  // The best window of the row: non-orphaning beats orphaning, then closest to
  // centre. Also measures the row's longest run of adjacent free seats.
  Window BestInRow(const Row& row, uint16_t* longest_free_run) const {
    Window best;
    uint16_t longest = 0, free_run = 0;
    SeatIndex run_begin = kNoSeat;  // the eligible run being walked
    const SeatIndex end = row.first_seat + row.seat_count;
    for (SeatIndex i = row.first_seat; i < end; ++i) {
      const bool free = states_[i] == SeatState::kFree;
      free_run = free ? static_cast<uint16_t>(free_run + 1) : uint16_t{0};
      longest = std::max(longest, free_run);
      const bool eligible = free && Eligible(i);
      if (eligible && run_begin == kNoSeat) run_begin = i;
      const bool touches_next = map_.seat(i).adjacent_to_next;
      if (run_begin != kNoSeat && (!eligible || !touches_next)) {
        ConsiderRun(row, run_begin, eligible ? i + 1 : i, best);
        run_begin = kNoSeat;
      }
      if (!touches_next) free_run = 0;
    }
    *longest_free_run = longest;
    return best;
  }

  void ConsiderRun(const Row& row, SeatIndex begin, SeatIndex end, Window& best) const {
    const uint32_t length = end - begin;
    if (length < req_.count) return;
    const uint32_t slack = length - req_.count;
    const auto centre2 = static_cast<int64_t>(row.seat_count) - 1;
    for (uint32_t o = 0; o <= slack; ++o) {
      const bool orphan = o == 1 || slack - o == 1;
      const int64_t pos2 = 2 * static_cast<int64_t>(begin + o - row.first_seat) + req_.count - 1;
      const auto d2 = static_cast<uint32_t>(std::llabs(pos2 - centre2));
      if (orphan > best.orphan) continue;
      if (orphan == best.orphan && d2 >= best.distance2) continue;
      best = Window{begin + o, d2, orphan};
    }
  }

  // Not together: the eligible seats closest to the centre of the best rows.
  bool Split(std::span<const RowIndex> rows, std::vector<SeatIndex>& out) const {
    std::vector<std::pair<uint32_t, SeatIndex>> in_row;
    for (RowIndex r : rows) {
      const Row& row = map_.row(r);
      in_row.clear();
      const auto centre2 = static_cast<int64_t>(row.seat_count) - 1;
      for (SeatIndex i = row.first_seat; i < row.first_seat + row.seat_count; ++i) {
        if (!Eligible(i)) continue;
        const int64_t pos2 = 2 * static_cast<int64_t>(i - row.first_seat);
        in_row.emplace_back(static_cast<uint32_t>(std::llabs(pos2 - centre2)), i);
      }
      std::sort(in_row.begin(), in_row.end());
      for (const auto& [d, seat] : in_row) {
        out.push_back(seat);
        if (out.size() == req_.count) {
          std::sort(out.begin(), out.end());
          return true;
        }
      }
    }
    out.clear();
    return false;
  }

 private:
  const SeatMap& map_;
  std::span<const SeatState> states_;
  const BestAvailableRequest& req_;
};

}  // namespace

uint16_t LongestFreeRun(const SeatMap& map, std::span<const SeatState> states, RowIndex r) {
  const Row& row = map.row(r);
  uint16_t longest = 0, run = 0;
  for (SeatIndex i = row.first_seat; i < row.first_seat + row.seat_count; ++i) {
    run = states[i] == SeatState::kFree ? static_cast<uint16_t>(run + 1) : uint16_t{0};
    longest = std::max(longest, run);
    if (!map.seat(i).adjacent_to_next) run = 0;
  }
  return longest;
}

bool FindBestAvailable(const SeatMap& map, std::span<const SeatState> states,
                       std::span<const uint16_t> row_free, RowRuns runs,
                       const BestAvailableRequest& req, std::vector<SeatIndex>& out) {
  out.clear();
  if (req.count == 0) return false;
  const std::span<const RowIndex> rows =
      req.section ? map.rows_by_rank(*req.section) : map.rows_by_rank();
  const Search search(map, states, req);
  Window fallback;  // the best orphaning window, from the best row that fits
  for (RowIndex r : rows) {
    const Row& row = map.row(r);
    if (!search.RowMayFit(row, row_free[r])) continue;
    if (!runs.stale[r] && runs.longest[r] < req.count) continue;
    const Window w = search.BestInRow(row, &runs.longest[r]);
    runs.stale[r] = 0;
    if (!w.found()) continue;
    if (!w.orphan) {
      fallback = w;
      break;
    }
    if (!fallback.found()) fallback = w;
  }
  if (fallback.found()) {
    for (uint32_t k = 0; k < req.count; ++k) out.push_back(fallback.first + k);
    return true;
  }
  return req.allow_split && search.Split(rows, out);
}

}  // namespace boxoffice::core
