// CatalogTables: venues and shows in SQLite. A venue's seat map is stored in
// the store's own versioned form (seat_map_codec.h), a show's settings as
// typed columns with its prices in show_prices. RecordWriter hands the
// records here; ReadCatalog fills their part of the Snapshot. Internal to
// src/store/.
//
//   VenueRecord  insert, or replace the earlier record of that venue
//   ShowRecord   insert, or replace the earlier record (and prices) of that show
//
// Migration 6 -> 7 (kCatalogMigration, then ConvertApiSeatMaps) converts
// stores of schema 6, which kept both as the API's JSON; SQLite's own JSON
// functions read that JSON, frozen as it was, so the store needs no JSON
// library of its own.
//
// Thread-safety: like Db, one thread at a time.
#pragma once

#include "core/status.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace boxoffice::store::sqlite {

class CatalogTables {
 public:
  CatalogTables() = default;  // unprepared: Prepare before use
  static StatusOr<CatalogTables> Prepare(Db& db);

  Status Put(const VenueRecord& r);
  Status Put(const ShowRecord& r);

 private:
  Stmt upsert_venue_, upsert_show_, delete_prices_, insert_price_;
};

// Reads venues and shows (with their prices) into `snap`, by id.
Status ReadCatalog(Db& db, Snapshot& snap);

// Migration 6 -> 7: typed show settings; the venues' new table, which
// ConvertApiSeatMaps fills from the old one before it sets the version.
extern const char* const kCatalogMigration;
Status ConvertApiSeatMaps(Db& db);

}  // namespace boxoffice::store::sqlite
