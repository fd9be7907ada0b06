#include "http/seat_map_json.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value_from.hpp>

#include "core/limits.h"
#include "http/json_reader.h"

namespace boxoffice::http {
namespace {

using core::kLabelBytesMax;
using core::kNameBytesMax;

void ReadBlocks(ObjectReader& r, core::RowSpec& row) {
  const std::optional<int64_t> seats = r.Int("seats", Field::kOptional, 1, core::kSeatsPerRowMax);
  const boost::json::array* blocks = r.Array("blocks", Field::kOptional, core::kSeatsPerRowMax);
  if (seats && blocks != nullptr)
    r.Fail(r.PathOf("seats"), "give either seats or blocks, not both");
  if (!seats && blocks == nullptr && r.ok()) r.Fail(r.PathOf("blocks"), "is required (or seats)");
  if (seats) row.blocks.push_back({1, static_cast<int32_t>(*seats), 1, ""});
  for (size_t i = 0; blocks != nullptr && i < blocks->size() && r.ok(); ++i) {
    ObjectReader b((*blocks)[i], r.PathOf("blocks", i));
    core::SeatBlockSpec block;
    block.first_number =
        static_cast<int32_t>(b.Int("first", Field::kRequired, 0, 1'000'000).value_or(1));
    block.last_number =
        static_cast<int32_t>(b.Int("last", Field::kRequired, 0, 1'000'000).value_or(1));
    block.step = static_cast<int32_t>(b.Int("step", Field::kOptional, 1, 2).value_or(1));
    block.category = b.String("category", Field::kOptional, kLabelBytesMax).value_or("");
    r.Adopt(b.Finish());
    row.blocks.push_back(std::move(block));
  }
}

void ReadRows(ObjectReader& r, core::SectionSpec& section) {
  const boost::json::array* rows = r.Array("rows", Field::kOptional, core::kRowsPerSectionMax);
  for (size_t i = 0; rows != nullptr && i < rows->size() && r.ok(); ++i) {
    ObjectReader rr((*rows)[i], r.PathOf("rows", i));
    core::RowSpec row;
    row.label = rr.String("label", Field::kRequired, kLabelBytesMax).value_or("");
    row.category = rr.String("category", Field::kOptional, kLabelBytesMax).value_or("");
    if (auto rank = rr.Int("rank", Field::kOptional, 0, UINT32_MAX))
      row.rank = static_cast<uint32_t>(*rank);
    ReadBlocks(rr, row);
    if (const boost::json::array* acc =
            rr.Array("accessible", Field::kOptional, core::kSeatsPerRowMax)) {
      for (size_t k = 0; k < acc->size() && rr.ok(); ++k) {
        if (auto n = ElementInt((*acc)[k], rr.PathOf("accessible", k), 0, 1'000'000, rr)) {
          row.accessible.push_back(static_cast<int32_t>(*n));
        }
      }
    }
    r.Adopt(rr.Finish());
    section.rows.push_back(std::move(row));
  }
}

}  // namespace

StatusOr<core::SeatMapSpec> ParseSeatMapSpec(const boost::json::value& v) {
  ObjectReader r(v, "");
  core::SeatMapSpec spec;
  spec.name = r.String("name", Field::kRequired, kNameBytesMax).value_or("");
  const boost::json::array* cats =
      r.Array("categories", Field::kRequired, core::kCategoriesPerVenueMax);
  for (size_t i = 0; cats != nullptr && i < cats->size() && r.ok(); ++i) {
    ObjectReader c((*cats)[i], r.PathOf("categories", i));
    core::CategorySpec cat;
    cat.id = c.String("id", Field::kRequired, kLabelBytesMax).value_or("");
    cat.name = c.String("name", Field::kOptional, kNameBytesMax).value_or("");
    r.Adopt(c.Finish());
    spec.categories.push_back(std::move(cat));
  }
  const boost::json::array* sections =
      r.Array("sections", Field::kRequired, core::kSectionsPerVenueMax);
  for (size_t i = 0; sections != nullptr && i < sections->size() && r.ok(); ++i) {
    ObjectReader s((*sections)[i], r.PathOf("sections", i));
    core::SectionSpec sec;
    sec.id = s.String("id", Field::kRequired, kLabelBytesMax).value_or("");
    sec.name = s.String("name", Field::kOptional, kNameBytesMax).value_or("");
    if (auto rank = s.Int("rank", Field::kOptional, 0, 1'000'000))
      sec.rank = static_cast<uint32_t>(*rank);
    sec.general_admission = s.Bool("general_admission", Field::kOptional).value_or(false);
    sec.capacity = static_cast<uint32_t>(
        s.Int("capacity", Field::kOptional, 0, core::kGeneralAdmissionCapacityMax).value_or(0));
    sec.category = s.String("category", Field::kOptional, kLabelBytesMax).value_or("");
    ReadRows(s, sec);
    r.Adopt(s.Finish());
    spec.sections.push_back(std::move(sec));
  }
  if (Status s = r.Finish(); !s.ok()) return s;
  return spec;
}

StatusOr<core::SeatMap> BuildSeatMapFromJson(std::string_view json) {
  StatusOr<boost::json::value> v = ParseJson(json);
  if (!v.ok()) return v.status();
  StatusOr<core::SeatMapSpec> spec = ParseSeatMapSpec(*v);
  if (!spec.ok()) return spec.status();
  return core::SeatMap::Build(*spec);
}

boost::json::value SeatMapSpecToJson(const core::SeatMapSpec& spec) {
  boost::json::object out;
  out["name"] = spec.name;
  boost::json::array cats;
  for (const core::CategorySpec& c : spec.categories)
    cats.push_back({{"id", c.id}, {"name", c.name}});
  out["categories"] = std::move(cats);
  boost::json::array sections;
  for (const core::SectionSpec& s : spec.sections) {
    boost::json::object so{{"id", s.id}, {"name", s.name}};
    if (s.rank) so["rank"] = *s.rank;
    if (s.general_admission) {
      so["general_admission"] = true;
      so["capacity"] = s.capacity;
      so["category"] = s.category;
    } else {
      boost::json::array rows;
      for (const core::RowSpec& r : s.rows) {
        boost::json::object ro{{"label", r.label}};
        if (!r.category.empty()) ro["category"] = r.category;
        if (r.rank) ro["rank"] = *r.rank;
        boost::json::array blocks;
        for (const core::SeatBlockSpec& b : r.blocks) {
          boost::json::object bo{{"first", b.first_number}, {"last", b.last_number}};
          if (b.step != 1) bo["step"] = b.step;
          if (!b.category.empty()) bo["category"] = b.category;
          blocks.push_back(std::move(bo));
        }
        ro["blocks"] = std::move(blocks);
        if (!r.accessible.empty()) ro["accessible"] = boost::json::value_from(r.accessible);
        rows.push_back(std::move(ro));
      }
      so["rows"] = std::move(rows);
    }
    sections.push_back(std::move(so));
  }
  out["sections"] = std::move(sections);
  return out;
}

}  // namespace boxoffice::http
