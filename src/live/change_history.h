// ChangeHistory: a show's most recent changes, already encoded for the wire,
// in a ring of fixed capacity, so that a subscriber who reconnects (or who
// fell a little behind) catches up from memory.
//
// The history holds contiguous versions oldest()..head(). A change at or
// below head() is already covered and ignored; a change beyond head() + 1 (a
// gap) empties the history first, so readers from before the gap resync
// instead of missing changes. A reader whose cursor (the last version it
// has) is older than oldest() - 1, or newer than head(), is behind: it must
// reload the availability snapshot.
//
// Pure: no locks, no clock. The hub guards it with the show's channel lock.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/types.h"

namespace boxoffice::live {

// Changes kept per show by default (config `live_history_changes_max`).
inline constexpr size_t kHistoryChangesMaxDefault = 4096;
inline constexpr size_t kHistoryChangesMin = 16;
inline constexpr size_t kHistoryChangesMax = 1 << 20;

// One change as every subscriber receives it: encoded once, shared.
struct Message {
  core::Version version = 0;
  std::string text;  // the JSON object
};
using MessagePtr = std::shared_ptr<const Message>;

class ChangeHistory {
 public:
  explicit ChangeHistory(size_t capacity);

  // The show was at `version` when someone looked: an empty history starts there.
  void Observe(core::Version version);
  void Append(MessagePtr m);

  core::Version head() const { return head_; }
  core::Version oldest() const { return head_ + 1 - count_; }  // head() + 1 when empty
  size_t size() const { return count_; }
  size_t capacity() const { return ring_.size(); }

  // True if a reader with `cursor` can continue from the history.
  bool CanContinueFrom(core::Version cursor) const {
    return cursor + 1 >= oldest() && cursor <= head_;
  }
  // Appends the messages after `cursor` to `out`, oldest first, stopping once
  // `bytes_max` is reached (at least one message when there is one); returns
  // the new cursor. Requires CanContinueFrom(cursor).
  core::Version ReadAfter(core::Version cursor, size_t bytes_max,
                          std::vector<MessagePtr>* out) const;

 private:
  const MessagePtr& At(core::Version v) const { return ring_[v % ring_.size()]; }

  std::vector<MessagePtr> ring_;  // version v at v % capacity
  core::Version head_ = 0;
  size_t count_ = 0;
};

}  // namespace boxoffice::live
