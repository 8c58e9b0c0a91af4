// One background thread for work that can wait: packing GEMM weights into panels while the calls
// that need them run on the weights as they are. Internal to mhub_core.
//
// Jobs run one at a time in the order given, at idle priority (SCHED_IDLE: only on cores nothing
// else wants) and with kernels on that thread alone (NumThreads() is 1 there), so they never take
// the worker pool or the cores from a forward pass. While a caller waits for them, and at exit, the
// thread runs at normal priority; at exit it finishes the job it is running and drops the rest.
#pragma once

#include <functional>

namespace mhub::core::cpu {

// Queues `job`. False, with the job not taken, in a forked child (the thread is the parent's):
// the caller then does the work itself. `when_quiet` jobs run after the others, once no job has
// been queued for 300 ms (or when someone waits): for work that would get in the way of the calls
// that queue the other jobs (moving pages around while a first forward pass runs).
bool RunInBackground(std::function<void()> job, bool when_quiet = false);

// Blocks until the queue is empty: every job queued before the call has run, and those they queued
// (nothing to wait for in a forked child).
void WaitForBackground();

}  // namespace mhub::core::cpu
