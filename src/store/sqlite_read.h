// ReadTable: the rows of one SQLite table as records, read column by column
// as record_rows.h says. Internal to src/store/.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "store/record_rows.h"
#include "store/sqlite_db.h"

namespace boxoffice::store::sqlite {

// Appends every row of `SELECT columns FROM table ORDER BY order` to `out`.
template <typename R>
Status ReadTable(Db& db, std::vector<R>& out, const char* table, const char* columns,
                 const char* order) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += " FROM ";
  sql += table;
  sql += " ORDER BY ";
  sql += order;
  return ForEachRow(db, sql, [&](const Stmt& stmt) {
    RowReader row(stmt, table);
    rows::Read(row, out.emplace_back());
    return row.status();
  });
}

}  // namespace boxoffice::store::sqlite
