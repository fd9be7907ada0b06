#include "core/seat_map.h"

#include <algorithm>
#include <string>

#include "core/limits.h"

namespace boxoffice::core {
namespace {

// Ids and labels: printable ASCII without spaces, quotes or '-', which joins labels.
bool ValidId(std::string_view s) {
  if (s.empty() || s.size() > kLabelBytesMax) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c > ' ' && c < 127 && c != '-' && c != '"' && c != '\\';
  });
}

std::string At(const std::string& parent, std::string_view field, size_t i) {
  return parent + (parent.empty() ? "" : ".") + std::string(field) + "[" + std::to_string(i) + "]";
}

Status Invalid(const std::string& where, std::string_view what) {
  return Status::InvalidArgument(where + ": " + std::string(what));
}

}  // namespace

// Fills a SeatMap from a spec, validating as it goes; every error names the
// element by its path in the description.
class SeatMapBuilder {
 public:
  SeatMapBuilder(const SeatMapSpec& spec, SeatMap& map) : spec_(spec), m_(map) {}

  Status Run() {
    if (spec_.name.empty() || spec_.name.size() > kNameBytesMax) {
      return Invalid("name", "must be 1.." + std::to_string(kNameBytesMax) + " bytes");
    }
    m_.name_ = spec_.name;
    if (Status s = AddCategories(); !s.ok()) return s;
    if (spec_.sections.empty()) return Invalid("sections", "at least one section is required");
    if (spec_.sections.size() > kSectionsPerVenueMax)
      return Invalid("sections", "too many sections");
    for (size_t i = 0; i < spec_.sections.size(); ++i) {
      if (Status s = AddSection(i); !s.ok()) return s;
    }
    IndexRowsByRank();
    return Status::Ok();
  }

 private:
  Status AddCategories() {
    if (spec_.categories.empty()) return Invalid("categories", "at least one category is required");
    if (spec_.categories.size() > kCategoriesPerVenueMax) {
      return Invalid("categories", "at most " + std::to_string(kCategoriesPerVenueMax));
    }
    for (size_t i = 0; i < spec_.categories.size(); ++i) {
      const CategorySpec& c = spec_.categories[i];
      const std::string where = At("", "categories", i);
      if (!ValidId(c.id)) return Invalid(where + ".id", "invalid id");
      if (c.name.size() > kNameBytesMax) return Invalid(where + ".name", "too long");
      if (!m_.category_by_id_.emplace(c.id, static_cast<uint32_t>(i)).second) {
        return Invalid(where + ".id", "duplicate category '" + c.id + "'");
      }
      m_.categories_.push_back({c.id, c.name.empty() ? c.id : c.name});
    }
    return Status::Ok();
  }

  StatusOr<CategoryIndex> FindCategory(const std::string& id, const std::string& where) const {
    auto it = m_.category_by_id_.find(id);
    if (it == m_.category_by_id_.end()) return Invalid(where, "unknown category '" + id + "'");
    return static_cast<CategoryIndex>(it->second);
  }

  Status AddSection(size_t si) {
    const SectionSpec& s = spec_.sections[si];
    const std::string where = At("", "sections", si);
    if (!ValidId(s.id)) return Invalid(where + ".id", "invalid id");
    if (s.name.size() > kNameBytesMax) return Invalid(where + ".name", "too long");
    const auto index = static_cast<SectionIndex>(m_.sections_.size());
    if (!m_.section_by_id_.emplace(s.id, index).second) {
      return Invalid(where + ".id", "duplicate section '" + s.id + "'");
    }
    Section section{s.id,
                    s.name.empty() ? s.id : s.name,
                    s.rank.value_or(static_cast<uint32_t>(si)),
                    s.general_admission,
                    0,
                    0,
                    static_cast<RowIndex>(m_.rows_.size()),
                    0};
    if (s.general_admission) {
      if (!s.rows.empty())
        return Invalid(where + ".rows", "a general-admission section has no rows");
      if (s.capacity == 0 || s.capacity > kGeneralAdmissionCapacityMax) {
        return Invalid(where + ".capacity",
                       "must be 1.." + std::to_string(kGeneralAdmissionCapacityMax));
      }
      StatusOr<CategoryIndex> c = FindCategory(s.category, where + ".category");
      if (!c.ok()) return c.status();
      section.capacity = s.capacity;
      section.ga_category = *c;
      m_.sections_.push_back(std::move(section));
      return Status::Ok();
    }
    if (s.rows.empty()) return Invalid(where + ".rows", "a seated section needs rows");
    if (s.rows.size() > kRowsPerSectionMax) return Invalid(where + ".rows", "too many rows");
    m_.sections_.push_back(std::move(section));
    std::unordered_map<std::string, int> row_labels;
    for (size_t ri = 0; ri < s.rows.size(); ++ri) {
      const std::string row_where = At(where, "rows", ri);
      if (!row_labels.emplace(s.rows[ri].label, 0).second) {
        return Invalid(row_where + ".label", "duplicate row '" + s.rows[ri].label + "'");
      }
      if (Status st = AddRow(index, ri, row_where); !st.ok()) return st;
    }
    Section& added = m_.sections_.back();
    added.row_count = static_cast<uint32_t>(s.rows.size());
    return Status::Ok();
  }

  Status AddRow(SectionIndex section, size_t ri, const std::string& where) {
    const SectionSpec& ss = spec_.sections[m_.sections_.size() - 1];
    const RowSpec& r = ss.rows[ri];
    if (!ValidId(r.label)) return Invalid(where + ".label", "invalid label");
    if (r.blocks.empty())
      return Invalid(where + ".blocks", "a row needs at least one block of seats");
    std::optional<CategoryIndex> row_category;
    if (!r.category.empty()) {
      StatusOr<CategoryIndex> c = FindCategory(r.category, where + ".category");
      if (!c.ok()) return c.status();
      row_category = *c;
    } else if (m_.categories_.size() == 1) {
      row_category = CategoryIndex{0};
    }
    const uint32_t default_rank =
        m_.sections_[section].rank * kRowsPerSectionMax + static_cast<uint32_t>(ri);
    Row row{r.label,
            section,
            static_cast<SeatIndex>(m_.seats_.size()),
            0,
            r.rank.value_or(default_rank),
            0,
            0};
    const auto row_index = static_cast<RowIndex>(m_.rows_.size());
    std::unordered_map<int32_t, int> numbers;
    for (size_t bi = 0; bi < r.blocks.size(); ++bi) {
      const SeatBlockSpec& b = r.blocks[bi];
      const std::string bw = At(where, "blocks", bi);
      if (b.step < 1 || b.step > 2) return Invalid(bw + ".step", "must be 1 or 2");
      if (b.last_number < b.first_number) return Invalid(bw, "last_number before first_number");
      if (b.first_number < 0) return Invalid(bw + ".first_number", "must not be negative");
      const int64_t count = (int64_t{b.last_number} - b.first_number) / b.step + 1;
      if (count + row.seat_count > kSeatsPerRowMax) return Invalid(bw, "too many seats in the row");
      if (count + m_.seats_.size() > kSeatsPerVenueMax)
        return Invalid(bw, "too many seats in the venue");
      CategoryIndex category = 0;
      if (!b.category.empty()) {
        StatusOr<CategoryIndex> c = FindCategory(b.category, bw + ".category");
        if (!c.ok()) return c.status();
        category = *c;
      } else if (row_category) {
        category = *row_category;
      } else {
        return Invalid(where + ".category", "required when the venue has several categories");
      }
      for (int32_t n = b.first_number; n <= b.last_number; n += b.step) {
        if (!numbers.emplace(n, 0).second) {
          return Invalid(bw, "seat number " + std::to_string(n) + " appears twice in the row");
        }
        std::string label = m_.sections_[section].id + "-" + r.label + "-" + std::to_string(n);
        const auto seat_index = static_cast<SeatIndex>(m_.seats_.size());
        m_.seat_by_label_.emplace(label, seat_index);
        m_.labels_.push_back(std::move(label));
        m_.seats_.push_back(Seat{row_index, n, section, category,
                                 static_cast<uint16_t>(row.seat_count), false,
                                 n + b.step <= b.last_number});
        row.seat_count++;
        row.category_mask |= uint64_t{1} << category;
      }
    }
    for (size_t ai = 0; ai < r.accessible.size(); ++ai) {
      const int32_t n = r.accessible[ai];
      if (numbers.find(n) == numbers.end()) {
        return Invalid(At(where, "accessible", ai),
                       "no seat number " + std::to_string(n) + " in the row");
      }
      for (SeatIndex i = row.first_seat; i < row.first_seat + row.seat_count; ++i) {
        if (m_.seats_[i].number == n && !m_.seats_[i].accessible) {
          m_.seats_[i].accessible = true;
          row.accessible_count++;
        }
      }
    }
    m_.sections_[section].capacity += row.seat_count;
    m_.rows_.push_back(std::move(row));
    return Status::Ok();
  }

  void IndexRowsByRank() {
    const auto by_rank = [this](RowIndex a, RowIndex b) {
      return m_.rows_[a].rank != m_.rows_[b].rank ? m_.rows_[a].rank < m_.rows_[b].rank : a < b;
    };
    m_.rows_by_rank_.resize(m_.rows_.size());
    for (RowIndex i = 0; i < m_.rows_.size(); ++i) m_.rows_by_rank_[i] = i;
    std::sort(m_.rows_by_rank_.begin(), m_.rows_by_rank_.end(), by_rank);
    m_.section_rank_begin_.assign(1, 0);
    for (const Section& s : m_.sections_) {
      const size_t begin = m_.section_rows_by_rank_.size();
      for (RowIndex r = s.first_row; r < s.first_row + s.row_count; ++r) {
        m_.section_rows_by_rank_.push_back(r);
      }
      std::sort(m_.section_rows_by_rank_.begin() + static_cast<std::ptrdiff_t>(begin),
                m_.section_rows_by_rank_.end(), by_rank);
      m_.section_rank_begin_.push_back(static_cast<uint32_t>(m_.section_rows_by_rank_.size()));
    }
  }

  const SeatMapSpec& spec_;
  SeatMap& m_;
};

StatusOr<SeatMap> SeatMap::Build(const SeatMapSpec& spec) {
  SeatMap map;
  SeatMapBuilder builder(spec, map);
  if (Status s = builder.Run(); !s.ok()) return s;
  return map;
}

std::optional<SeatIndex> SeatMap::FindSeat(std::string_view label) const {
  auto it = seat_by_label_.find(label);
  if (it == seat_by_label_.end()) return std::nullopt;
  return it->second;
}

std::optional<SectionIndex> SeatMap::FindSection(std::string_view id) const {
  auto it = section_by_id_.find(id);
  if (it == section_by_id_.end()) return std::nullopt;
  return static_cast<SectionIndex>(it->second);
}

std::optional<CategoryIndex> SeatMap::FindCategory(std::string_view id) const {
  auto it = category_by_id_.find(id);
  if (it == category_by_id_.end()) return std::nullopt;
  return static_cast<CategoryIndex>(it->second);
}

std::span<const RowIndex> SeatMap::rows_by_rank(SectionIndex s) const {
  BOX_ASSERT(s < sections_.size());
  return std::span<const RowIndex>(section_rows_by_rank_)
      .subspan(section_rank_begin_[s], section_rank_begin_[s + 1] - section_rank_begin_[s]);
}

uint64_t SeatMap::sellable_capacity() const {
  uint64_t total = 0;
  for (const Section& s : sections_) total += s.capacity;
  return total;
}

}  // namespace boxoffice::core
