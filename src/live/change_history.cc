#include "live/change_history.h"

#include "core/status.h"

namespace boxoffice::live {

ChangeHistory::ChangeHistory(size_t capacity) : ring_(capacity) { BOX_ASSERT(capacity > 0); }

void ChangeHistory::Observe(core::Version version) {
  if (count_ == 0 && version > head_) head_ = version;
}

void ChangeHistory::Append(MessagePtr m) {
  BOX_ASSERT(m != nullptr);
  const core::Version v = m->version;
  if (v <= head_) return;
  if (v > head_ + 1) {  // a gap: what came before it can no longer be told contiguously
    for (MessagePtr& slot : ring_) slot.reset();
    count_ = 0;
    head_ = v - 1;
  }
  ring_[v % ring_.size()] = std::move(m);
  head_ = v;
  if (count_ < ring_.size()) ++count_;
}

core::Version ChangeHistory::ReadAfter(core::Version cursor, size_t bytes_max,
                                       std::vector<MessagePtr>* out) const {
  BOX_ASSERT(CanContinueFrom(cursor));
  size_t bytes = 0;
  while (cursor < head_ && (bytes == 0 || bytes < bytes_max)) {
    const MessagePtr& m = At(cursor + 1);
    BOX_ASSERT(m != nullptr && m->version == cursor + 1);
    bytes += m->text.size();
    out->push_back(m);
    ++cursor;
  }
  return cursor;
}

}  // namespace boxoffice::live
