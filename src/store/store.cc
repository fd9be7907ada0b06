#include "store/store.h"

#include <algorithm>
#include <string>

#include "store/snapshot_part.h"

namespace boxoffice::store {

ShowId ShowOf(const Record& record) {
  return std::visit(
      [](const auto& r) -> ShowId {
        if constexpr (requires { r.show_id; }) {
          return r.show_id;
        } else {
          return 0;
        }
      },
      record);
}

StatusOr<Snapshot> Store::LoadShow(ShowId show) {
  StatusOr<Snapshot> all = Load();
  if (!all.ok()) return all.status();
  return ShowPart(*all, show);
}

StatusOr<ShowOwner> Store::ClaimShow(ShowId, DurationMs) {
  return Status::FailedPrecondition("this store does not keep show owners");
}

}  // namespace boxoffice::store
