// The PostgreSQL writer's transactions: a group of batches becomes one
// transaction of a few statements, one per kind of record, each carrying
// every row of its kind as binary arrays (INSERT ... SELECT FROM unnest),
// all sent at once on a pipelined connection and answered in one round trip.
// Internal to src/store/.
//
// The statements go in an order that keeps the meaning of the batches in
// submission order whenever it can (inserts before the updates and deletes
// that name what they insert; within a kind, rows in submission order;
// records that replace earlier ones deduplicated, the last one kept). Where
// the order cannot (say a seat booked, freed and booked again in one
// group), a statement fails; so whenever anything fails, the group is run
// again one batch at a time, each under a savepoint, which keeps every
// batch's meaning exactly, up to the first batch that breaks a rule: it
// fails, and so do the batches after it, unwritten (the journal keeps no
// holes; batch_queue.h), while those before it commit.
//
// Each transaction first writes its id to the writer's row in
// store_writers (taking that row's lock), then checks the fences, then
// writes; after a lost connection the store reads that row back to learn
// whether the transaction committed.
//
// Thread-safety: one thread (the store's writer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/batch_queue.h"
#include "store/pg_conn.h"
#include "store/store.h"

namespace boxoffice::store::pg {

// Prepares the writer's statements on `c`, in ordinary mode.
Status PrepareWriterStatements(Conn& c);

// How a transaction ended.
enum class TxnEnd {
  kCommitted,  // every batch whose status is OK is durable
  kFailed,     // known not committed; the statuses say why
  kInDoubt,    // the connection was lost: committed or not, unknown
};

struct TxnIds {
  std::string node_id;    // whose epochs the fences name
  std::string writer_id;  // the writer's row in store_writers
  uint64_t txn = 0;       // this transaction's id, written to that row
};

// Runs `group` (the batches whose status is OK) as one transaction on `c`,
// which is in pipeline mode; if a statement fails, runs it again batch by
// batch and sets the status of each batch that fails. On kFailed every
// batch still OK gets the transaction's error.
TxnEnd RunGroup(Conn& c, const TxnIds& ids, std::vector<Pending>& group);

}  // namespace boxoffice::store::pg
