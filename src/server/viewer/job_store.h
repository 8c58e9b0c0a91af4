// The Parquet conversion job queue, persisted in the metadata DB (`<data>/db.sqlite`, table
// viewer_jobs) so a restart or a kill -9 resumes it. One row per dataset repo: the main revision it
// converts (a newer push replaces it: one job per repo revision, the latest wins), its state, and
// once done the conversion's summary (configs, splits, files, features) as JSON.
//
// Thread safety: all methods may be called concurrently (own connection pool, WAL, busy timeout).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/server/repo_path.h"

namespace mhub::server::viewer {

enum class JobState : uint8_t { kPending, kRunning, kDone, kFailed };
const char* JobStateName(JobState s);  // "pending" | "running" | "done" | "failed"

struct ConversionJob {
  RepoKey key;
  std::string revision;  // the main commit converted
  JobState state = JobState::kPending;
  std::string error;           // kFailed: why
  std::string parquet_commit;  // kDone: head of refs/convert/parquet it wrote
  std::string result_json;     // kDone: the summary (converter.h ConversionSummary JSON)
  int64_t attempts = 0;
  int64_t updated_ms = 0;
};

class JobStore {
 public:
  // Opens `db_path` (the server's db.sqlite, already created by the metadata DB) and creates the
  // table when missing.
  static Result<std::unique_ptr<JobStore>> Open(const std::string& db_path);
  ~JobStore();

  // The job of a dataset repo; nullopt when none was ever queued.
  Result<std::optional<ConversionJob>> Get(const RepoKey& key);
  // Queues `revision` for the repo (replacing whatever it held) unless the row already holds this
  // revision; returns true when a job was (re)queued.
  Result<bool> Enqueue(const RepoKey& key, const std::string& revision);
  // Marks the repo's job for `revision` running (attempts + 1). False when the row now holds
  // another revision (a newer push superseded it).
  Result<bool> MarkRunning(const RepoKey& key, const std::string& revision);
  // Finishes the job for `revision`; ignored (false) when the row moved to another revision.
  Result<bool> MarkDone(const RepoKey& key, const std::string& revision, const std::string& parquet_commit,
                        const std::string& result_json);
  Result<bool> MarkFailed(const RepoKey& key, const std::string& revision, const std::string& error);
  // Puts a running job back to pending without counting the run (the server is stopping).
  Result<bool> Requeue(const RepoKey& key, const std::string& revision);
  // Jobs left pending or running (by a crash or a stop): to resume at start.
  Result<std::vector<ConversionJob>> Unfinished();

 private:
  struct Impl;
  explicit JobStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mhub::server::viewer
