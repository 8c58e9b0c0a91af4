// The LFS rule of git pushes (a PushCheck, push_checks.h): every LFS pointer a push brings must
// name an object the pusher may read through some repo (lfs_access.h: AuthorizeLfsReference,
// which then records it for the pushed repo). git-lfs uploads a repo's objects through the batch
// API before it pushes the refs, so an honest push always passes; a handmade pointer to another
// repo's object, or to one never uploaded, refuses the whole push (the Hub refuses pushes whose
// pointers name missing files too).
#pragma once

#include "mhub/base/result.h"
#include "server/http/push_checks.h"

namespace mhub::server {

Status CheckPushedLfsPointers(const PushCheckInput& in);

}  // namespace mhub::server
