// ClosedHolds: why each recently closed hold closed (released, expired,
// confirmed), whose it was and its booking, so a late request learns what
// happened instead of "not found".
//
// A flash sale closes millions of holds, so a close must cost no more than
// a store into memory that is already in cache. Every hold of a show has a
// sequence number (the high half of its id), issued in increasing order, so
// the tombstones sit in an array indexed by sequence: chunks of kChunkSize
// consecutive sequences, allocated when the first hold of the chunk closes.
// Holds close roughly in the order they were created, so closes write
// sequentially; a lookup is one index computation.
//
// Forget() drops whole chunks whose holds all closed before a time. A hold of
// a dropped chunk that closes later (one that stayed live that long) brings
// its chunk back with only itself in it.
//
// Not thread-safe: owned by one ShowInventory.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "core/types.h"

namespace boxoffice::core {

class ClosedHolds {
 public:
  // 36 bytes: closes are many, so an entry keeps only what a late request needs.
  struct Entry {
    Token token;
    uint32_t slot = 0;           // the low half of the hold's id
    uint32_t owner = 0;          // OwnerId, below 2^32 (kOwnerIdMax)
    uint32_t booking = 0;        // BookingId, below 2^32 within a show
    uint32_t closed_at_s = 0;    // seconds since the epoch (pruning works in seconds)
    Outcome why = Outcome::kOk;  // kHoldExpired, kHoldReleased or kHoldConfirmed; kOk: none
  };
  static_assert(sizeof(Entry) == 36);

  static constexpr uint32_t kChunkBits = 10;
  static constexpr uint32_t kChunkSize = 1u << kChunkBits;

  // Records the close of hold `sequence`. A sequence is closed once; should
  // it come again (journals of an older id scheme reused sequences across
  // slots), the later close wins.
  void Add(uint32_t sequence, const Entry& e);
  // The close of the hold with this sequence and slot, or null.
  const Entry* Find(uint32_t sequence, uint32_t slot) const;
  // Drops every chunk whose holds all closed before `closed_before_ms`, to the
  // second (rounded up).
  void Forget(TimeMs closed_before_ms);

  size_t size() const { return size_; }
  size_t bytes() const;
  size_t chunks() const;

 private:
  struct Chunk {
    std::array<Entry, kChunkSize> entries{};
    uint32_t newest_close_s = 0;
    uint32_t count = 0;
  };

  std::vector<std::unique_ptr<Chunk>> chunks_;  // chunks_[i]: chunk number first_chunk_ + i
  size_t first_chunk_ = 0;
  size_t size_ = 0;
};

}  // namespace boxoffice::core
