// ShowPart: one show's part of a Snapshot, as Store::LoadShow defines it —
// what a store without a per-show query returns, and what the conformance
// tests expect of those with one. Pure; any thread.
#pragma once

#include "core/status.h"
#include "store/store.h"

namespace boxoffice::store {

// kNotFound if `all` has no such show.
StatusOr<Snapshot> ShowPart(const Snapshot& all, ShowId show);

}  // namespace boxoffice::store
