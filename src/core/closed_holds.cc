#include "core/closed_holds.h"

#include <algorithm>

#include "core/status.h"

namespace boxoffice::core {

void ClosedHolds::Add(uint32_t sequence, const Entry& e) {
  BOX_ASSERT(e.why != Outcome::kOk);
  const size_t number = sequence >> kChunkBits;
  if (chunks_.empty()) first_chunk_ = number;
  if (number < first_chunk_) {
    std::vector<std::unique_ptr<Chunk>> grown(first_chunk_ - number + chunks_.size());
    std::move(chunks_.begin(), chunks_.end(), grown.begin() + (first_chunk_ - number));
    chunks_ = std::move(grown);
    first_chunk_ = number;
  }
  const size_t i = number - first_chunk_;
  if (i >= chunks_.size()) chunks_.resize(i + 1);
  if (!chunks_[i]) chunks_[i] = std::make_unique<Chunk>();
  Chunk& c = *chunks_[i];
  Entry& slot = c.entries[sequence & (kChunkSize - 1)];
  if (slot.why == Outcome::kOk) {
    ++c.count;
    ++size_;
  }
  slot = e;
  c.newest_close_s = std::max(c.newest_close_s, e.closed_at_s);
}

const ClosedHolds::Entry* ClosedHolds::Find(uint32_t sequence, uint32_t slot) const {
  const size_t number = sequence >> kChunkBits;
  if (number < first_chunk_ || number - first_chunk_ >= chunks_.size()) return nullptr;
  const Chunk* c = chunks_[number - first_chunk_].get();
  if (c == nullptr) return nullptr;
  const Entry& e = c->entries[sequence & (kChunkSize - 1)];
  if (e.why == Outcome::kOk || e.slot != slot) return nullptr;
  return &e;
}

void ClosedHolds::Forget(TimeMs closed_before_ms) {
  const auto before_s = static_cast<uint32_t>(std::max<TimeMs>(0, (closed_before_ms + 999) / 1000));
  for (std::unique_ptr<Chunk>& c : chunks_) {
    if (c && c->newest_close_s < before_s) {
      size_ -= c->count;
      c.reset();
    }
  }
  const auto live = std::find_if(chunks_.begin(), chunks_.end(),
                                 [](const std::unique_ptr<Chunk>& c) { return c != nullptr; });
  first_chunk_ += static_cast<size_t>(live - chunks_.begin());
  chunks_.erase(chunks_.begin(), live);
}

size_t ClosedHolds::chunks() const {
  return static_cast<size_t>(
      std::count_if(chunks_.begin(), chunks_.end(),
                    [](const std::unique_ptr<Chunk>& c) { return c != nullptr; }));
}

size_t ClosedHolds::bytes() const {
  return chunks() * sizeof(Chunk) + chunks_.capacity() * sizeof(std::unique_ptr<Chunk>);
}

}  // namespace boxoffice::core
