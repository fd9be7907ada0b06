// FromStored: an integer as the stores keep it (a signed 64-bit column) back
// in its own type — unsigned 64-bit ids bit for bit, bool from 0 or 1, every
// other type only when in range. Internal to src/store/.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

namespace boxoffice::store {

template <std::integral T>
std::optional<T> FromStored(int64_t v) {
  if constexpr (std::is_same_v<T, bool>) {
    if (v == 0 || v == 1) return v == 1;
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    return static_cast<uint64_t>(v);  // stored bit for bit
  } else {
    if (std::in_range<T>(v)) return static_cast<T>(v);
  }
  return std::nullopt;
}

}  // namespace boxoffice::store
