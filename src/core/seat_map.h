// SeatMap: the immutable layout of a venue — sections, rows, seats, price
// categories, general-admission (GA) areas.
//
// Built once from a SeatMapSpec (parsed from JSON by codec/) and never
// changed afterwards; a show copies its venue's map, so a SeatMap may be read
// from any thread without synchronisation.
//
// Invariants after Build():
//  - seats of a row are contiguous: row.first_seat .. row.first_seat+row.seat_count-1,
//    in row order; seat.adjacent_to_next is false at aisles/gaps and at the row end;
//  - every label ("SECTION-ROW-NUMBER") is unique and maps back to its seat;
//  - a GA section has no rows and a capacity > 0;
//  - rows_by_rank() lists every row once, best (lowest rank) first.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace boxoffice::core {

// ---- The description a SeatMap is built from -------------------------------

struct SeatBlockSpec {       // a run of seats with no gap between them
  int32_t first_number = 1;  // printed seat numbers, first..last by `step`
  int32_t last_number = 1;
  int32_t step = 1;      // 2 for odd/even numbered sides
  std::string category;  // empty: the row's category

  friend bool operator==(const SeatBlockSpec&, const SeatBlockSpec&) = default;
};

struct RowSpec {
  std::string label;
  std::string category;               // default category of the row's seats
  std::vector<SeatBlockSpec> blocks;  // a gap (aisle) separates two blocks
  std::vector<int32_t> accessible;    // seat numbers with an accessible place
  std::optional<uint32_t> rank;       // lower is better; default from position

  friend bool operator==(const RowSpec&, const RowSpec&) = default;
};

struct SectionSpec {
  std::string id;
  std::string name;
  std::optional<uint32_t> rank;    // default: order in the description
  std::vector<RowSpec> rows;       // seated sections
  bool general_admission = false;  // GA: sold by quantity, no seat numbers
  uint32_t capacity = 0;           // GA only
  std::string category;            // GA only

  friend bool operator==(const SectionSpec&, const SectionSpec&) = default;
};

struct CategorySpec {
  std::string id;
  std::string name;

  friend bool operator==(const CategorySpec&, const CategorySpec&) = default;
};

struct SeatMapSpec {
  std::string name;
  std::vector<CategorySpec> categories;
  std::vector<SectionSpec> sections;

  friend bool operator==(const SeatMapSpec&, const SeatMapSpec&) = default;
};

// ---- The built map ------------------------------------------------------------

struct Seat {
  RowIndex row;
  int32_t number;
  SectionIndex section;
  CategoryIndex category;
  uint16_t position;  // 0-based place in the row
  bool accessible;
  bool adjacent_to_next;  // the next seat in the row touches this one
};

struct Row {
  std::string label;
  SectionIndex section;
  SeatIndex first_seat;
  uint32_t seat_count;
  uint32_t rank;           // lower is better
  uint64_t category_mask;  // bit c set: the row has a seat of category c
  uint32_t accessible_count;
};

struct Section {
  std::string id;
  std::string name;
  uint32_t rank;
  bool general_admission;
  uint32_t capacity;          // GA capacity, or the number of seats
  CategoryIndex ga_category;  // GA only
  RowIndex first_row;
  uint32_t row_count;
};

struct Category {
  std::string id;
  std::string name;
};

class SeatMap {
 public:
  // Validates `spec`; an invalid one yields InvalidArgument naming the element,
  // e.g. "sections[2].rows[5].blocks[0]: last_number before first_number".
  static StatusOr<SeatMap> Build(const SeatMapSpec& spec);

  const std::string& name() const { return name_; }
  std::span<const Seat> seats() const { return seats_; }
  std::span<const Row> rows() const { return rows_; }
  std::span<const Section> sections() const { return sections_; }
  std::span<const Category> categories() const { return categories_; }
  uint32_t seat_count() const { return static_cast<uint32_t>(seats_.size()); }

  const Seat& seat(SeatIndex i) const { return seats_[i]; }
  const Row& row(RowIndex i) const { return rows_[i]; }
  const Section& section(SectionIndex i) const { return sections_[i]; }

  const std::string& label(SeatIndex i) const { return labels_[i]; }
  std::optional<SeatIndex> FindSeat(std::string_view label) const;
  std::optional<SectionIndex> FindSection(std::string_view id) const;
  std::optional<CategoryIndex> FindCategory(std::string_view id) const;

  // Every row, best first; and the rows of one section, best first.
  std::span<const RowIndex> rows_by_rank() const { return rows_by_rank_; }
  std::span<const RowIndex> rows_by_rank(SectionIndex s) const;

  // Total GA capacity plus seats: everything that can be sold.
  uint64_t sellable_capacity() const;

 private:
  friend class SeatMapBuilder;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using LabelIndex = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;

  std::string name_;
  std::vector<Seat> seats_;
  std::vector<std::string> labels_;
  std::vector<Row> rows_;
  std::vector<Section> sections_;
  std::vector<Category> categories_;
  std::vector<RowIndex> rows_by_rank_;
  std::vector<RowIndex> section_rows_by_rank_;  // grouped by section, see section_rank_begin_
  std::vector<uint32_t> section_rank_begin_;    // size sections+1
  LabelIndex seat_by_label_;
  LabelIndex section_by_id_;
  LabelIndex category_by_id_;
};

}  // namespace boxoffice::core
