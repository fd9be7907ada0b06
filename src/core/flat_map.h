// FlatMap: an open-addressing hash map from non-zero unsigned integer keys to
// small trivially-copyable values, for the inventory's hot paths (owner seat
// counts), where a node allocation per insert would cost more than the
// operation itself. A 32-bit key with a 32-bit value takes 8 bytes a slot.
//
// Linear probing over a power-of-two table, at most 75 % full; erase shifts
// the following entries back (no tombstones), so lookups stay short under
// churn. Key 0 marks an empty slot and may not be inserted.
//
// Not thread-safe. References returned by operator[] / Find are invalidated by
// the next insertion.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/status.h"

namespace boxoffice::core {

template <typename K, typename V>
class FlatMap {
  static_assert(std::is_unsigned_v<K> && std::is_trivially_copyable_v<V>);

 public:
  FlatMap() : slots_(kInitialCapacity) {}

  V* Find(K key) {
    BOX_ASSERT(key != 0);
    for (size_t i = Home(key);; i = Next(i)) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }
  const V* Find(K key) const { return const_cast<FlatMap*>(this)->Find(key); }

  // The value for `key`, value-initialised if absent.
  V& operator[](K key) {
    BOX_ASSERT(key != 0);
    if (4 * (size_ + 1) > 3 * slots_.size()) Grow();
    size_t i = Home(key);
    for (; slots_[i].key != 0; i = Next(i)) {
      if (slots_[i].key == key) return slots_[i].value;
    }
    slots_[i] = Slot{key, V{}};
    ++size_;
    return slots_[i].value;
  }

  bool Erase(K key) {
    BOX_ASSERT(key != 0);
    size_t i = Home(key);
    for (; slots_[i].key != key; i = Next(i)) {
      if (slots_[i].key == 0) return false;
    }
    // Backward-shift deletion: move later entries of the probe run into the hole.
    for (size_t j = Next(i);; j = Next(j)) {
      if (slots_[j].key == 0) break;
      const size_t home = Home(slots_[j].key);
      // Move j into the hole i if its home is not cyclically in (i, j].
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
    --size_;
    return true;
  }

  // Removes every entry for which pred(key, value) is true.
  template <typename Pred>
  void EraseIf(Pred pred) {
    std::vector<K> doomed;
    for (const Slot& s : slots_) {
      if (s.key != 0 && pred(s.key, s.value)) doomed.push_back(s.key);
    }
    for (K k : doomed) Erase(k);
  }

  template <typename Fn>
  void ForEach(Fn fn) const {
    for (const Slot& s : slots_) {
      if (s.key != 0) fn(s.key, s.value);
    }
  }

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  static constexpr size_t kInitialCapacity = 16;
  struct Slot {
    K key = 0;
    V value{};
  };

  size_t Home(K key) const {
    // Fibonacci hashing: ids are often sequential; spread them.
    return static_cast<size_t>((uint64_t{key} * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  size_t Next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    --shift_;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key != 0) (*this)[s.key] = s.value;
    }
  }

  std::vector<Slot> slots_;
  unsigned shift_ = 64 - 4;  // log2(kInitialCapacity) bits of hash
  size_t size_ = 0;
};

}  // namespace boxoffice::core
