// Best-available search: N seats together in the best place that is free.
//
// Rows are visited best rank first (optionally only one section's). In a row,
// maximal runs of eligible seats (free, matching the category/accessibility
// filter, touching each other: aisles break runs) are candidates; a window of
// N seats in a run is scored by its distance from the row's centre.
//
// Orphans: a window that leaves exactly one eligible seat between it and the
// end of its run strands a single seat nobody can buy with a friend. The first
// row (by rank) that has a window leaving no orphan wins; only if no row has
// one is the best orphaning window (from the best row that fits) taken.
//
// Cost: O(seats of the rows inspected). Rows with fewer free seats than N,
// without the asked category or accessible places, or whose longest run of
// adjacent free seats is shorter than N, are skipped in O(1). The longest run
// is cached per row and recomputed only for rows whose seats changed since
// (RowRuns), so a nearly sold-out show does not rescan its fragmented rows.
//
// If no row holds N together and the request allows it, the best N eligible
// seats are taken from the best rows, not necessarily adjacent.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/seat_map.h"
#include "core/types.h"

namespace boxoffice::core {

struct BestAvailableRequest {
  uint32_t count = 0;
  std::optional<SectionIndex> section;
  std::optional<CategoryIndex> category;
  bool accessible_only = false;  // only seats with an accessible place
  bool allow_split = false;      // non-adjacent seats when none are together
};

// Per row: the longest run of adjacent free seats, valid unless `stale`.
// The inventory marks a row stale whenever one of its seats becomes or stops
// being free; the search refreshes the rows it visits.
struct RowRuns {
  std::span<uint16_t> longest;
  std::span<uint8_t> stale;
};

// The longest run of adjacent free seats in `row`, from the seat states.
uint16_t LongestFreeRun(const SeatMap& map, std::span<const SeatState> states, RowIndex row);

// Fills `out` with the chosen seats and returns true, or returns false.
// `states` and `row_free` are the inventory's per-seat states and per-row free counts.
bool FindBestAvailable(const SeatMap& map, std::span<const SeatState> states,
                       std::span<const uint16_t> row_free, RowRuns runs,
                       const BestAvailableRequest& req, std::vector<SeatIndex>& out);

}  // namespace boxoffice::core
