// RecordWriter applies batches of journal Records to the SQLite schema inside
// a write transaction, each batch atomically (a savepoint); ReadSnapshot and
// CheckConsistency read the schema back. Internal to src/store/.
//
// What each record does (see sqlite_schema.h for the tables):
//   VenueRecord, ShowRecord  insert, or replace the earlier record of that id
//                            (sqlite_catalog.h)
//   HoldRecord               insert; kAlreadyExists if the hold id is taken
//   HoldExtended             new expiry; kNotFound unless the hold is live
//   HoldClosed               deletes the live hold; kNotFound unless live
//   BookingRecord            insert, and claim its seats in booked_seats:
//                            kAlreadyExists naming show and seat if one of
//                            them has an active booking already
//   BookingCancelled         marks it cancelled and frees its seats;
//                            kNotFound / kFailedPrecondition if missing or
//                            already cancelled
//   SeatsBlocked             adds or removes blocked seats (idempotent)
//   ShowVersion              sets the show's version; written once per show
//                            and transaction, at Commit (the highest one of
//                            the batches that were applied)
//   IdempotencyRecord        insert; kAlreadyExists for a repeated (user, key)
//   HistoryPruned            deletes idempotency records older than given (in
//                            the order they were written: a record written
//                            after a younger one waits for a later pruning),
//                            and the payment tables' and the outbox's old rows
//   payments, webhook events, hold trail, tickets: see sqlite_payment_records.h
//   waiting rooms: see sqlite_queue_records.h
//   sales states, check-ins: see sqlite_show_state_records.h
// Before its records, every batch is fenced: each show it writes is checked
// at the epoch the batch carries for it, or 1 (sqlite_owners.h).
//
// Thread-safety: like Db, one thread at a time.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "store/sqlite_catalog.h"
#include "store/sqlite_db.h"
#include "store/sqlite_outbox.h"
#include "store/sqlite_owners.h"
#include "store/sqlite_payment_records.h"
#include "store/sqlite_queue_records.h"
#include "store/sqlite_show_state_records.h"
#include "store/store.h"

namespace boxoffice::store::sqlite {

class RecordWriter {
 public:
  // Prepares (and keeps) every statement the writer needs; `node_id` is the
  // node the batches are written for (their fences name its epochs).
  static StatusOr<RecordWriter> Prepare(Db& db, std::string node_id);

  // How a batch is applied inside the transaction.
  enum class Isolation {
    // In a savepoint of its own: a batch that fails is undone alone and the
    // transaction goes on.
    kSavepoint,
    // Directly: cheaper, but a batch that fails may leave part of itself
    // behind, so the caller must then roll the whole transaction back.
    kNone,
  };

  Status Begin();  // BEGIN IMMEDIATE: takes the write lock now
  // Applies all of the batch, or none of it and returns why (kSavepoint; see
  // Isolation for kNone). An error that ends the whole transaction (a full
  // disk) leaves in_transaction() false.
  Status ApplyBatch(const Batch& batch, Isolation isolation = Isolation::kSavepoint);
  // Writes the versions of the applied batches, then commits.
  Status Commit();
  void Rollback();  // ends the open transaction, if any, discarding it
  bool in_transaction() const { return db_->in_transaction(); }

 private:
  explicit RecordWriter(Db& db) : db_(&db) {}
  Status Apply(const Record& record);
  Status Put(const HoldRecord& r);
  Status Put(const HoldExtended& r);
  Status Put(const HoldClosed& r);
  Status Put(const BookingRecord& r);
  Status Put(const BookingCancelled& r);
  Status Put(const SeatsBlocked& r);
  Status Put(const ShowVersion& r);
  Status Put(const IdempotencyRecord& r);
  Status Put(const HistoryPruned& r);
  Status ClaimSeat(ShowId show, SeatIndex seat, BookingId booking);
  Status ExpectLiveHold(const char* action, ShowId show, HoldId hold) const;
  Status ApplyRecords(const Batch& batch);
  Status CheckFences(const Batch& batch);
  Status CheckFence(ShowFence fence);
  void KeepBatchVersions();
  Status WriteVersions();

  Db* db_;
  // Show versions: those of the batch being applied, and the highest one per
  // show of the batches applied in this transaction (few shows: a vector).
  std::vector<ShowVersion> batch_versions_;
  std::vector<ShowVersion> transaction_versions_;
  // Fences checked for the batch being applied, and for those applied in
  // this transaction: the write lock keeps them true until COMMIT.
  std::vector<ShowFence> batch_fences_;
  std::vector<ShowFence> transaction_fences_;
  Stmt begin_, commit_, rollback_;
  Stmt savepoint_, release_, rollback_to_;
  Stmt insert_hold_, extend_hold_, close_hold_, delete_hold_, prune_closed_holds_;
  Stmt insert_booking_, find_booking_, cancel_booking_;
  Stmt claim_seat_, seat_owner_, free_seat_;
  Stmt block_seat_, unblock_seat_;
  Stmt upsert_version_;
  Stmt insert_idempotency_, prune_idempotency_;
  OwnerTable owners_;
  CatalogTables catalog_;
  PaymentTables payment_tables_;
  QueueTables queue_tables_;
  ShowStateTables show_state_tables_;
  OutboxTable outbox_;
};

// Reads everything recovery needs in one read transaction.
StatusOr<Snapshot> ReadSnapshot(Db& db);

// SQLite's own integrity check plus the store's invariant: booked_seats holds
// exactly the seats of the active bookings. kCorruption names the first problem.
Status CheckConsistency(Db& db);

}  // namespace boxoffice::store::sqlite
