#include "server/viewer/viewer_service.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "mhub/base/env.h"
#include "mhub/base/logging.h"
#include "mhub/server/lfs_pointer.h"
#include "server/http/url_codec.h"
#include "server/viewer/converter.h"

namespace mhub::server::viewer {

namespace fs = std::filesystem;

namespace {

// Column cache budget: whole columns of recently filtered/searched splits.
constexpr uint64_t kColumnCacheBytes = 1ull << 30;
constexpr size_t kMaxOpenShards = 512;
constexpr size_t kMaxStatistics = 4096;
constexpr size_t kMaxCachedJobs = 4096;
// Split views are small (offsets and the features text); decoded row groups take the memory: a
// 1M-row split of four short columns decodes to about 60 MB.
constexpr uint64_t kSplitViewBytes = 64ull << 20;

// MHUB_VIEWER_CACHE_MB: the decoded row groups' budget (default 256; 0 decodes every page read).
uint64_t RowGroupCacheBytes() {
  constexpr uint64_t kDefaultMb = 256;
  const char* env = std::getenv("MHUB_VIEWER_CACHE_MB");
  if (env == nullptr || *env == '\0') return kDefaultMb << 20;
  char* end = nullptr;
  const unsigned long long mb = std::strtoull(env, &end, 10);
  if (end == env || *end != '\0' || mb > (1ull << 20)) {
    MHUB_LOG(kWarn) << "MHUB_VIEWER_CACHE_MB='" << env << "' is not a size in MB: using " << kDefaultMb;
    return kDefaultMb << 20;
  }
  return static_cast<uint64_t>(mb) << 20;
}

// The dataset repo a write request touched, from its raw path.
std::optional<RepoKey> DatasetOfPath(const std::string& raw_path) {
  std::vector<std::string> seg = SplitRawPath(raw_path);
  size_t at = 0;
  if (seg.size() >= 4 && seg[0] == "api" && seg[1] == "datasets") {
    at = 2;
  } else if (seg.size() >= 3 && seg[0] == "datasets") {
    at = 1;
  } else {
    return std::nullopt;
  }
  auto ns = PercentDecode(seg[at]);
  auto name = PercentDecode(seg[at + 1]);
  if (!ns.ok() || !name.ok()) return std::nullopt;
  std::string n = *name;
  if (n.size() > 4 && n.compare(n.size() - 4, 4, ".git") == 0) n.resize(n.size() - 4);
  auto id = MakeRepoId(*ns, n);
  if (!id.ok()) return std::nullopt;
  return RepoKey{RepoType::kDataset, *id};
}

}  // namespace

ViewerService::ViewerService(HubContext* ctx) : ctx_(ctx), split_cache_(kSplitViewBytes, RowGroupCacheBytes()) {}

Result<std::shared_ptr<ViewerService>> ViewerService::Start(HubContext* ctx) {
  std::shared_ptr<ViewerService> s(new ViewerService(ctx));
  MHUB_ASSIGN_OR_RETURN(s->jobs_, JobStore::Open(ctx->data_dir + "/db.sqlite"));
  std::error_code ec;
  fs::remove_all(ctx->data_dir + "/tmp/viewer", ec);  // scratch of jobs a crash interrupted
  // Interrupted jobs first, then every dataset whose main head has no job (pushed while down).
  MHUB_ASSIGN_OR_RETURN(std::vector<ConversionJob> unfinished, s->jobs_->Unfinished());
  for (const auto& j : unfinished) s->queue_.push_back(j.key);
  auto all = ctx->repos->ListAllRepos();
  if (all.ok()) {
    for (const auto& key : *all) {
      if (key.type == RepoType::kDataset) s->queue_.push_back(key);
    }
  }
  s->worker_ = std::thread([raw = s.get()] { raw->Run(); });
  return s;
}

ViewerService::~ViewerService() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ViewerService::NoteWrite(const std::string& raw_path) {
  if (auto key = DatasetOfPath(raw_path)) NoteWrite(*key);
}

void ViewerService::NoteWrite(const RepoKey& key) {
  if (key.type != RepoType::kDataset) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_ && *running_ == key) running_touched_ = true;
  }
  Enqueue(key);
}

void ViewerService::Enqueue(const RepoKey& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& k : queue_) {
      if (k == key) return;
    }
    queue_.push_back(key);
  }
  cv_.notify_all();
}

bool ViewerService::WaitIdle(int64_t timeout_ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, until, [this] { return queue_.empty() && !busy_; });
}

void ViewerService::Run() {
  while (true) {
    RepoKey key;
    {
      std::unique_lock<std::mutex> lock(mu_);
      busy_ = false;
      cv_.notify_all();
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      key = queue_.front();
      queue_.pop_front();
      busy_ = true;
    }
    Process(key);
  }
}

void ViewerService::Process(const RepoKey& key) {
  if (!ctx_->db->GetRepo(key).ok()) return;
  auto main = ctx_->repos->ResolveRevision(key, "main");
  if (!main.ok()) return;
  const std::string revision = *main;
  auto queued = jobs_->Enqueue(key, revision);
  ForgetJob(key);
  if (!queued.ok()) {
    MHUB_LOG(kWarn) << "viewer: cannot queue " << key.ToString() << ": " << queued.status();
    return;
  }
  auto job = jobs_->Get(key);
  if (!job.ok() || !job->has_value() || (*job)->revision != revision) return;
  if ((*job)->state == JobState::kDone || (*job)->state == JobState::kFailed) return;
  // Still "running" here means the server died during an earlier run (a stop puts the job back to
  // pending). A job that keeps dying with the server may be what kills it: fail it visibly.
  if ((*job)->state == JobState::kRunning && (*job)->attempts >= kMaxInterruptedRuns) {
    MHUB_LOG(kWarn) << "viewer: " << key.ToString() << "@" << revision.substr(0, 12) << " was interrupted "
                    << (*job)->attempts << " times; not retried";
    (void)jobs_->MarkFailed(key, revision,
                            "the conversion was interrupted " + std::to_string((*job)->attempts) +
                                " times (the server stopped during it); push again to retry");
    ForgetJob(key);
    return;
  }
  auto running = jobs_->MarkRunning(key, revision);
  ForgetJob(key);
  if (!running.ok() || !*running) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = key;
    running_touched_ = false;
  }
  static std::atomic<uint64_t> counter{0};
  ConvertEnv env;
  env.repos = ctx_->repos.get();
  env.lfs = ctx_->lfs.get();
  env.db = ctx_->db.get();
  env.work_dir = ctx_->data_dir + "/tmp/viewer/job-" + std::to_string(++counter);
  bool superseded = false, stopped = false;
  env.cancelled = [&]() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) stopped = true;
    }
    if (stopped) return true;
    if (running_touched_.exchange(false)) {
      auto now = ctx_->repos->ResolveRevision(key, "main");
      if (now.ok() && *now != revision) superseded = true;
    }
    return superseded;
  };
  std::error_code ec;
  fs::remove_all(env.work_dir, ec);
  Status made = Env::Default()->CreateDirs(env.work_dir);
  // A conversion never takes the server down: an exception from a reader or writer fails the job.
  Result<ConversionOutcome> outcome = made.ok() ? Result<ConversionOutcome>(Status::Internal("not run")) : made;
  if (made.ok()) {
    try {
      outcome = ConvertToParquet(env, key, revision);
    } catch (const std::exception& e) {
      outcome = Status::Internal(std::string("unexpected exception while converting: ") + e.what());
    } catch (...) {
      outcome = Status::Internal("unexpected exception while converting");
    }
  }
  fs::remove_all(env.work_dir, ec);
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_.reset();
  }
  if (outcome.ok()) {
    (void)jobs_->MarkDone(key, revision, outcome->parquet_commit, DumpJson(outcome->summary));
    ForgetJob(key);
    MHUB_LOG(kInfo) << "viewer: converted " << key.ToString() << "@" << revision.substr(0, 12) << " to "
                    << kParquetBranch << " " << outcome->parquet_commit.substr(0, 12);
    return;
  }
  if (stopped) {  // resumed at the next start; a stop is not an interrupted run
    (void)jobs_->Requeue(key, revision);
    ForgetJob(key);
    return;
  }
  if (superseded) {
    Enqueue(key);  // the newer head (already queued by the write, unless it came from elsewhere)
    return;
  }
  MHUB_LOG(kWarn) << "viewer: converting " << key.ToString() << "@" << revision.substr(0, 12)
                  << " failed: " << outcome.status();
  (void)jobs_->MarkFailed(key, revision, outcome.status().message());
  ForgetJob(key);
}

void ViewerService::ForgetJob(const RepoKey& key) {
  std::lock_guard<std::mutex> lock(job_mu_);
  ++job_generation_;
  job_cache_.erase(key.id.ToString());
}

Result<std::shared_ptr<const JobSnapshot>> ViewerService::Job(const RepoKey& key) {
  const std::string id = key.id.ToString();
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(job_mu_);
    auto it = job_cache_.find(id);
    if (it != job_cache_.end()) return it->second;
    generation = job_generation_;
  }
  MHUB_ASSIGN_OR_RETURN(std::optional<ConversionJob> job, jobs_->Get(key));
  std::shared_ptr<JobSnapshot> snap;
  if (job) {
    snap = std::make_shared<JobSnapshot>();
    snap->job = std::move(*job);
    if (snap->job.state == JobState::kDone) {
      MHUB_ASSIGN_OR_RETURN(snap->summary, ParseJson(snap->job.result_json, "conversion summary"));
      snap->splits = Splits(snap->summary);
      snap->job.result_json.clear();  // parsed above; not kept twice
    }
  }
  std::lock_guard<std::mutex> lock(job_mu_);
  if (generation == job_generation_) {
    if (job_cache_.size() >= kMaxCachedJobs) job_cache_.clear();
    job_cache_[id] = snap;
  }
  return std::shared_ptr<const JobSnapshot>(snap);
}

std::vector<SplitInfo> ViewerService::Splits(const Json& summary) {
  std::vector<SplitInfo> out;
  if (!summary.is_object() || !summary.contains("configs")) return out;
  for (const auto& c : summary["configs"]) {
    for (const auto& s : c["splits"]) {
      SplitInfo info;
      info.config = c.value("config", "");
      info.split = s.value("split", "");
      info.num_rows = s.value("num_rows", int64_t{0});
      info.features = c.value("features", Json::object());
      for (const auto& f : s["files"]) {
        info.shards.push_back(
            {f.value("path", ""), f.value("oid", ""), f.value("size", uint64_t{0}), f.value("num_rows", int64_t{0})});
      }
      out.push_back(std::move(info));
    }
  }
  return out;
}

Result<std::shared_ptr<const datasets::ParquetFile>> ViewerService::Shard(const SplitShard& shard) {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = shards_.find(shard.oid);
    if (it != shards_.end()) return it->second;
  }
  if (!IsSha256Hex(shard.oid)) return Status::Corruption("bad shard oid in the conversion summary");
  MHUB_ASSIGN_OR_RETURN(datasets::ParquetFile file,
                        datasets::ParquetFile::Open(ctx_->lfs->PathOf(shard.oid), shard.path));
  auto shared = std::make_shared<const datasets::ParquetFile>(std::move(file));
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (shards_.size() >= kMaxOpenShards) shards_.clear();
  shards_.emplace(shard.oid, shared);
  return shared;
}

Result<datasets::ArrayPtr> ViewerService::Column(const SplitInfo& split, const std::string& name) {
  std::string key;
  for (const auto& s : split.shards) key += s.oid + ",";
  key += "\n" + name;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = columns_.find(key);
    if (it != columns_.end()) return it->second;
  }
  std::vector<datasets::Table> parts;
  for (const auto& s : split.shards) {
    MHUB_ASSIGN_OR_RETURN(auto file, Shard(s));
    datasets::ParquetReadOptions options;
    options.columns = {name};
    MHUB_ASSIGN_OR_RETURN(datasets::Table t, file->Read(options));
    parts.push_back(std::move(t));
  }
  datasets::ArrayPtr column;
  if (parts.size() == 1) {
    column = parts[0].columns.at(0);
  } else {
    MHUB_ASSIGN_OR_RETURN(datasets::Table all, datasets::Table::Concatenate(parts));
    column = all.columns.at(0);
  }
  const uint64_t bytes = ArrayBytes(*column);
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (column_bytes_ + bytes > kColumnCacheBytes) {
    columns_.clear();
    column_bytes_ = 0;
  }
  if (bytes <= kColumnCacheBytes) {
    columns_.emplace(key, column);
    column_bytes_ += bytes;
  }
  return column;
}

std::optional<std::string> ViewerService::CachedStatistics(const std::string& key) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  auto it = stats_.find(key);
  if (it == stats_.end()) return std::nullopt;
  return it->second;
}

void ViewerService::StoreStatistics(const std::string& key, std::string body) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (stats_.size() >= kMaxStatistics) stats_.clear();
  stats_[key] = std::move(body);
}

}  // namespace mhub::server::viewer
