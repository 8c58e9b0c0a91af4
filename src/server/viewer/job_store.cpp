#include "server/viewer/job_store.h"

#include <chrono>

#include "server/db/sqlite_conn.h"

namespace mhub::server::viewer {

namespace {

// Keyed by the repo's id text: a job follows the name it was pushed under (a moved repo gets a new
// job on its next push, and the viewer checks the repo exists before reading a row).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS viewer_jobs(
  repo TEXT PRIMARY KEY,
  revision TEXT NOT NULL,
  state TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  parquet_commit TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS viewer_jobs_state ON viewer_jobs(state);
)sql";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RowKey(const RepoKey& key) { return key.id.ToString(); }

JobState ParseState(const std::string& s) {
  if (s == "running") return JobState::kRunning;
  if (s == "done") return JobState::kDone;
  if (s == "failed") return JobState::kFailed;
  return JobState::kPending;
}

}  // namespace

const char* JobStateName(JobState s) {
  switch (s) {
    case JobState::kPending:
      return "pending";
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kFailed:
      return "failed";
  }
  return "pending";
}

struct JobStore::Impl {
  explicit Impl(std::string path) : pool(std::move(path)) {}
  sqlite::ConnPool pool;

  // Updates the row of `key` only while it still holds `revision`.
  Result<bool> Update(const RepoKey& key, const std::string& revision, const std::string& sql,
                      const std::vector<std::string>& texts) {
    MHUB_ASSIGN_OR_RETURN(auto c, pool.Acquire());
    MHUB_ASSIGN_OR_RETURN(sqlite::Stmt s, c->Prepare(sql));
    int i = 1;
    for (const auto& t : texts) s.Bind(i++, t);
    s.Bind(i, NowMs());
    s.Bind(i + 1, RowKey(key));
    s.Bind(i + 2, revision);
    MHUB_RETURN_IF_ERROR(s.Run());
    return sqlite3_changes(c->db) > 0;
  }
};

JobStore::JobStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JobStore::~JobStore() = default;

Result<std::unique_ptr<JobStore>> JobStore::Open(const std::string& db_path) {
  auto impl = std::make_unique<Impl>(db_path);
  {
    MHUB_ASSIGN_OR_RETURN(auto c, impl->pool.Acquire());
    MHUB_RETURN_IF_ERROR(c->Exec(kSchema));
  }
  return std::unique_ptr<JobStore>(new JobStore(std::move(impl)));
}

Result<std::optional<ConversionJob>> JobStore::Get(const RepoKey& key) {
  MHUB_ASSIGN_OR_RETURN(auto c, impl_->pool.Acquire());
  MHUB_ASSIGN_OR_RETURN(
      sqlite::Stmt s,
      c->Prepare("SELECT revision, state, error, parquet_commit, result, attempts, updated_ms FROM viewer_jobs "
                 "WHERE repo = ?"));
  s.Bind(1, RowKey(key));
  MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<ConversionJob>();
  ConversionJob j;
  j.key = key;
  j.revision = s.Text(0);
  j.state = ParseState(s.Text(1));
  j.error = s.Text(2);
  j.parquet_commit = s.Text(3);
  j.result_json = s.Text(4);
  j.attempts = s.Int(5);
  j.updated_ms = s.Int(6);
  return std::optional<ConversionJob>(std::move(j));
}

Result<bool> JobStore::Enqueue(const RepoKey& key, const std::string& revision) {
  MHUB_ASSIGN_OR_RETURN(auto c, impl_->pool.Acquire());
  MHUB_ASSIGN_OR_RETURN(
      sqlite::Stmt s,
      c->Prepare("INSERT INTO viewer_jobs(repo, revision, state, updated_ms) VALUES(?, ?, 'pending', ?) "
                 "ON CONFLICT(repo) DO UPDATE SET revision = excluded.revision, state = 'pending', error = '', "
                 "attempts = 0, updated_ms = excluded.updated_ms WHERE viewer_jobs.revision <> excluded.revision"));
  s.Bind(1, RowKey(key)).Bind(2, revision).Bind(3, NowMs());
  MHUB_RETURN_IF_ERROR(s.Run());
  return sqlite3_changes(c->db) > 0;
}

Result<bool> JobStore::MarkRunning(const RepoKey& key, const std::string& revision) {
  return impl_->Update(key, revision,
                       "UPDATE viewer_jobs SET state = 'running', attempts = attempts + 1, updated_ms = ? "
                       "WHERE repo = ? AND revision = ?",
                       {});
}

Result<bool> JobStore::MarkDone(const RepoKey& key, const std::string& revision, const std::string& parquet_commit,
                                const std::string& result_json) {
  return impl_->Update(key, revision,
                       "UPDATE viewer_jobs SET state = 'done', error = '', parquet_commit = ?, result = ?, "
                       "updated_ms = ? WHERE repo = ? AND revision = ?",
                       {parquet_commit, result_json});
}

Result<bool> JobStore::MarkFailed(const RepoKey& key, const std::string& revision, const std::string& error) {
  return impl_->Update(key, revision,
                       "UPDATE viewer_jobs SET state = 'failed', error = ?, updated_ms = ? "
                       "WHERE repo = ? AND revision = ?",
                       {error});
}

Result<bool> JobStore::Requeue(const RepoKey& key, const std::string& revision) {
  return impl_->Update(key, revision,
                       "UPDATE viewer_jobs SET state = 'pending', attempts = MAX(attempts - 1, 0), updated_ms = ? "
                       "WHERE repo = ? AND revision = ? AND state = 'running'",
                       {});
}

Result<std::vector<ConversionJob>> JobStore::Unfinished() {
  MHUB_ASSIGN_OR_RETURN(auto c, impl_->pool.Acquire());
  MHUB_ASSIGN_OR_RETURN(sqlite::Stmt s, c->Prepare("SELECT repo, revision, state, attempts FROM viewer_jobs "
                                                   "WHERE state IN ('pending', 'running') ORDER BY updated_ms"));
  std::vector<ConversionJob> out;
  while (true) {
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    std::string id = s.Text(0);
    size_t slash = id.find('/');
    if (slash == std::string::npos) continue;
    auto rid = MakeRepoId(id.substr(0, slash), id.substr(slash + 1));
    if (!rid.ok()) continue;
    ConversionJob j;
    j.key = RepoKey{RepoType::kDataset, *rid};
    j.revision = s.Text(1);
    j.state = ParseState(s.Text(2));
    j.attempts = s.Int(3);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace mhub::server::viewer
