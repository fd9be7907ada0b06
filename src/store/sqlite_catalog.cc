#include "store/sqlite_catalog.h"

#include <string>
#include <unordered_map>
#include <utility>

#include "store/seat_map_codec.h"
#include "store/sqlite_read.h"

namespace boxoffice::store::sqlite {

const char* const kCatalogMigration = R"sql(
CREATE TABLE shows_v7(
  show_id INTEGER PRIMARY KEY,
  venue_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  starts_at_ms INTEGER NOT NULL,
  on_sale_at_ms INTEGER NOT NULL,
  currency TEXT NOT NULL,
  hold_ttl_s INTEGER NOT NULL,
  seats_per_order_max INTEGER NOT NULL,
  seats_per_fan_max INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL);
CREATE TABLE show_prices(
  show_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  price_minor INTEGER NOT NULL,
  PRIMARY KEY(show_id, category)) WITHOUT ROWID;
INSERT INTO shows_v7
  SELECT show_id, venue_id, name, starts_at_ms,
    coalesce(CAST(strftime('%s', json_extract(settings_json, '$.on_sale_at')) AS INTEGER) * 1000 +
             CAST(substr(strftime('%f', json_extract(settings_json, '$.on_sale_at')), 4)
                  AS INTEGER), 0),
    json_extract(settings_json, '$.currency'), json_extract(settings_json, '$.hold_ttl_s'),
    json_extract(settings_json, '$.seats_per_order_max'),
    json_extract(settings_json, '$.seats_per_fan_max'), created_at_ms
  FROM shows;
INSERT INTO show_prices
  SELECT s.show_id, p.key, p.value FROM shows AS s, json_each(s.settings_json, '$.prices') AS p;
DROP TABLE shows;
ALTER TABLE shows_v7 RENAME TO shows;
CREATE TABLE venues_v7(
  venue_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  seat_map BLOB NOT NULL,
  created_at_ms INTEGER NOT NULL);
)sql";

StatusOr<CatalogTables> CatalogTables::Prepare(Db& db) {
  CatalogTables t;
  const StmtSql statements[] = {
      {&t.upsert_venue_,
       "INSERT INTO venues(venue_id, name, seat_map, created_at_ms) VALUES(?1, ?2, ?3, ?4) "
       "ON CONFLICT(venue_id) DO UPDATE SET name = excluded.name, seat_map = excluded.seat_map, "
       "created_at_ms = excluded.created_at_ms"},
      {&t.upsert_show_,
       "INSERT OR REPLACE INTO shows(show_id, venue_id, name, starts_at_ms, on_sale_at_ms, "
       "currency, hold_ttl_s, seats_per_order_max, seats_per_fan_max, created_at_ms) "
       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
      {&t.delete_prices_, "DELETE FROM show_prices WHERE show_id = ?1"},
      {&t.insert_price_,
       "INSERT INTO show_prices(show_id, category, price_minor) VALUES(?1, ?2, ?3)"},
  };
  if (Status s = PrepareAll(db, statements); !s.ok()) return s;
  return t;
}

Status CatalogTables::Put(const VenueRecord& r) {
  return upsert_venue_.Bind(r.venue_id, r.name, Blob{EncodeSeatMap(r.seat_map)}, r.created_at_ms)
      .Exec();
}

Status CatalogTables::Put(const ShowRecord& r) {
  Status s = upsert_show_
                 .Bind(r.show_id, r.venue_id, r.name, r.starts_at_ms, r.on_sale_at_ms, r.currency,
                       r.hold_ttl_s, r.seats_per_order_max, r.seats_per_fan_max, r.created_at_ms)
                 .Exec();
  if (s.ok()) s = delete_prices_.Bind(r.show_id).Exec();
  for (const ShowPrice& p : r.prices) {
    if (!s.ok()) break;
    s = insert_price_.Bind(r.show_id, p.category, p.price_minor).Exec();
  }
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::InvalidArgument("show " + std::to_string(r.show_id) +
                                   " names a price category twice");
  }
  return s;
}

namespace {

Status ReadShows(Db& db, Snapshot& snap) {
  if (Status s = ReadTable(db, snap.shows, "shows", rows::kShowColumns, "show_id"); !s.ok()) {
    return s;
  }
  std::unordered_map<ShowId, size_t> index;
  for (size_t i = 0; i < snap.shows.size(); ++i) index[snap.shows[i].show_id] = i;
  return ForEachRow(
      db, "SELECT show_id, category, price_minor FROM show_prices ORDER BY show_id, category",
      [&](const Stmt& stmt) {
        RowReader row(stmt, "show_prices");
        rows::ReadPrice(row, index, snap.shows);
        return row.status();
      });
}

// ---- Migration 6 -> 7: the API's seat-map JSON, read by SQLite ----

// Runs `sql` with `args` bound and hands each row to `body(RowReader&)`.
template <typename Body, typename... Args>
Status EachRow(Db& db, const char* sql, Body&& body, const Args&... args) {
  StatusOr<Stmt> stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(args...);
  return ForEachRow(*stmt, [&](const Stmt& s) {
    RowReader row(s, "venues (seat_map_json)");
    body(row);
    return row.status();
  });
}

std::optional<uint32_t> Rank(RowReader& row) {  // stored as rank + 1, 0 when absent
  const auto v = row.Int<int64_t>();
  if (v == 0) return std::nullopt;
  if (!std::in_range<uint32_t>(v - 1)) row.Fail("has a rank out of range");
  return static_cast<uint32_t>(v - 1);
}

Status ReadApiRow(Db& db, const std::string& json, int64_t section, RowReader& in,
                  core::RowSpec& row) {
  const auto index = in.Int<int64_t>();
  row.label = in.Bytes();
  row.category = in.Bytes();
  row.rank = Rank(in);
  if (const auto seats = in.Int<int32_t>(); seats > 0) row.blocks.push_back({1, seats, 1, ""});
  if (!in.status().ok()) return in.status();
  Status s = EachRow(
      db,
      "SELECT coalesce(json_extract(value, '$.first'), 1), "
      "coalesce(json_extract(value, '$.last'), 1), coalesce(json_extract(value, '$.step'), 1), "
      "coalesce(json_extract(value, '$.category'), '') "
      "FROM json_each(?1, printf('$.sections[%d].rows[%d].blocks', ?2, ?3)) ORDER BY key",
      [&](RowReader& b) {
        row.blocks.push_back({b.Int<int32_t>(), b.Int<int32_t>(), b.Int<int32_t>(), b.Bytes()});
      },
      json, section, index);
  if (!s.ok()) return s;
  return EachRow(
      db,
      "SELECT value FROM json_each(?1, printf('$.sections[%d].rows[%d].accessible', ?2, ?3)) "
      "ORDER BY key",
      [&](RowReader& a) { row.accessible.push_back(a.Int<int32_t>()); }, json, section, index);
}

Status ReadApiSection(Db& db, const std::string& json, RowReader& in, core::SectionSpec& sec) {
  const auto index = in.Int<int64_t>();
  sec.id = in.Bytes();
  sec.name = in.Bytes();
  sec.rank = Rank(in);
  sec.general_admission = in.Int<bool>();
  sec.capacity = in.Int<uint32_t>();
  sec.category = in.Bytes();
  if (!in.status().ok()) return in.status();
  Status failed;
  Status s = EachRow(
      db,
      "SELECT key, coalesce(json_extract(value, '$.label'), ''), "
      "coalesce(json_extract(value, '$.category'), ''), "
      "coalesce(json_extract(value, '$.rank') + 1, 0), coalesce(json_extract(value, '$.seats'), 0) "
      "FROM json_each(?1, printf('$.sections[%d].rows', ?2)) ORDER BY key",
      [&](RowReader& r) {
        if (failed.ok()) failed = ReadApiRow(db, json, index, r, sec.rows.emplace_back());
      },
      json, index);
  return s.ok() ? failed : s;
}

// The seat-map description as POST /v1/venues accepted it up to schema 6.
StatusOr<core::SeatMapSpec> ReadApiSeatMap(Db& db, const std::string& json) {
  core::SeatMapSpec spec;
  Status failed;
  Status s = EachRow(
      db, "SELECT coalesce(json_extract(?1, '$.name'), '')",
      [&](RowReader& r) { spec.name = r.Bytes(); }, json);
  if (s.ok()) {
    s = EachRow(
        db,
        "SELECT coalesce(json_extract(value, '$.id'), ''), "
        "coalesce(json_extract(value, '$.name'), '') "
        "FROM json_each(?1, '$.categories') ORDER BY key",
        [&](RowReader& r) {
          spec.categories.push_back({r.Bytes(), r.Bytes()});
        },
        json);
  }
  if (s.ok()) {
    s = EachRow(
        db,
        "SELECT key, coalesce(json_extract(value, '$.id'), ''), "
        "coalesce(json_extract(value, '$.name'), ''), "
        "coalesce(json_extract(value, '$.rank') + 1, 0), "
        "coalesce(json_extract(value, '$.general_admission'), 0), "
        "coalesce(json_extract(value, '$.capacity'), 0), "
        "coalesce(json_extract(value, '$.category'), '') "
        "FROM json_each(?1, '$.sections') ORDER BY key",
        [&](RowReader& r) {
          if (failed.ok()) failed = ReadApiSection(db, json, r, spec.sections.emplace_back());
        },
        json);
  }
  if (s.ok()) s = failed;
  if (!s.ok()) return s;
  return spec;
}

}  // namespace

Status ConvertApiSeatMaps(Db& db) {
  StatusOr<Stmt> insert = db.Prepare(
      "INSERT INTO venues_v7(venue_id, name, seat_map, created_at_ms) VALUES(?1, ?2, ?3, ?4)");
  if (!insert.ok()) return insert.status();
  Status s = ForEachRow(
      db, "SELECT venue_id, name, seat_map_json, created_at_ms FROM venues", [&](const Stmt& stmt) {
        RowReader row(stmt, "venues");
        const auto id = row.Int<uint64_t>();
        const std::string name = row.Bytes();
        const std::string json = row.Bytes();
        const auto created_at_ms = row.Int<TimeMs>();
        if (!row.status().ok()) return row.status();
        StatusOr<core::SeatMapSpec> spec = ReadApiSeatMap(db, json);
        if (!spec.ok()) {
          return Status::Corruption("venue " + std::to_string(id) +
                                    ": its seat map cannot be read: " + spec.status().message());
        }
        return insert->Bind(id, name, Blob{EncodeSeatMap(*spec)}, created_at_ms).Exec();
      });
  if (!s.ok()) return s;
  return db.Exec(
      "DROP TABLE venues;"
      "ALTER TABLE venues_v7 RENAME TO venues;"
      "PRAGMA user_version = 7;");
}

Status ReadCatalog(Db& db, Snapshot& snap) {
  Status s = ReadTable(db, snap.venues, "venues", rows::kVenueColumns, "venue_id");
  return s.ok() ? ReadShows(db, snap) : s;
}

}  // namespace boxoffice::store::sqlite
