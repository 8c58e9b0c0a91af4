// Downloads into the huggingface_hub cache: HEAD for commit/etag/size, blobs/<etag> written through
// <etag>.incomplete (resumed with Range) and renamed into place, snapshot symlinks, refs.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "mhub/base/env.h"
#include "mhub/base/progress.h"
#include "mhub/base/thread_pool.h"
#include "mhub/hub/cache.h"
#include "mhub/hub/hub_client.h"
#include "mhub/hub/patterns.h"

namespace mhub::hub {
namespace fs = std::filesystem;

namespace {

// W/"abc" -> abc
std::string NormalizeEtag(std::string etag) {
  if (etag.rfind("W/", 0) == 0) etag = etag.substr(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

std::string HostOf(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  auto start = scheme + 3;
  auto end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// An exclusive flock held for the object's lifetime (serialises writers of one blob).
class FileLock {
 public:
  static Result<FileLock> Acquire(const std::string& path) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Status::IOError("cannot open lock file " + path);
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      return Status::IOError("cannot lock " + path);
    }
    return FileLock(fd);
  }
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock(const FileLock&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

// How much written data may sit in the page cache before write-back is started.
constexpr uint64_t kWriteBehindBytes = 32ull << 20;

struct RemoteFile {
  std::string commit;
  std::string etag;
  uint64_t size = 0;
  std::string location;
};

// Copies the cached file to <local_dir>/<path> atomically; returns that path.
Result<std::string> PlaceInLocalDir(const std::string& cached, const std::string& local_dir, const std::string& path) {
  fs::path dest = fs::path(local_dir) / path;
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  if (ec) return Status::IOError("cannot create " + dest.parent_path().string() + ": " + ec.message());
  std::string tmp = TempPathFor(dest.string());
  fs::copy_file(fs::canonical(cached, ec), tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) return Status::IOError("cannot copy " + cached + " to " + tmp + ": " + ec.message());
  fs::rename(tmp, dest, ec);
  if (ec) return Status::IOError("cannot move " + tmp + " to " + dest.string() + ": " + ec.message());
  return dest.string();
}

}  // namespace

Result<std::string> HubClient::DownloadToCache(const RepoRef& repo, const std::string& filename,
                                               const std::string& revision, bool force) const {
  const std::string repo_dir = RepoCacheDir(config_.cache_dir, repo);
  auto from_cache = [&]() -> Result<std::string> {
    MHUB_ASSIGN_OR_RETURN(std::string commit, CachedCommitForRevision(repo_dir, revision));
    std::string path = repo_dir + "/snapshots/" + commit + "/" + filename;
    std::error_code ec;
    if (!fs::exists(path, ec))
      return Status::NotFound(filename + " of " + repo.id + "@" + revision + " is not in the cache");
    return path;
  };
  if (config_.offline) {
    auto cached = from_cache();
    if (!cached.ok()) return cached.status().WithContext("offline mode (HF_HUB_OFFLINE)");
    return cached;
  }

  // 1. Metadata from a HEAD of the resolve URL (not following the redirect to storage).
  std::string url = config_.endpoint + "/" + repo.UrlPrefix() + repo.id + "/resolve/" + UrlEncode(revision) + "/" +
                    UrlEncode(filename, /*keep_slash=*/true);
  HttpRequest head;
  head.method = "HEAD";
  head.url = url;
  head.headers = AuthHeaders();
  head.headers.emplace_back("accept-encoding", "identity");
  head.follow_redirects = false;
  head.timeout_seconds = 60;
  Result<HttpResponse> hr = http_.Perform(head);
  // Relative redirects mean a renamed repo: follow them; absolute ones lead to storage.
  for (int i = 0; i < 5 && hr.ok() && hr->status >= 300 && hr->status < 400; ++i) {
    std::string loc = hr->header("location");
    if (loc.empty() || loc.find("://") != std::string::npos) break;
    head.url = ResolveUrl(head.url, loc);
    hr = http_.Perform(head);
  }
  if (!hr.ok()) {
    // The hub is unreachable: serve from the cache when we can, as huggingface_hub does.
    auto cached = from_cache();
    if (cached.ok()) return cached;
    return hr.status();
  }
  const HttpResponse& meta = *hr;
  if (meta.status == 404 && meta.header("x-error-code") == "EntryNotFound" && !meta.header("x-repo-commit").empty()) {
    std::string marker = repo_dir + "/.no_exist/" + meta.header("x-repo-commit") + "/" + filename;
    std::error_code ec;
    fs::create_directories(fs::path(marker).parent_path(), ec);
    if (!ec) (void)WriteFileAtomic(marker, "");
  }
  bool redirect = meta.status >= 300 && meta.status < 400;
  if (!meta.ok() && !redirect) return StatusFromResponse(meta, "HEAD " + head.url);

  RemoteFile remote;
  remote.commit = meta.header("x-repo-commit");
  remote.etag =
      NormalizeEtag(meta.header("x-linked-etag").empty() ? meta.header("etag") : meta.header("x-linked-etag"));
  std::string size_text = meta.header("x-linked-size");
  if (size_text.empty() && !redirect) size_text = meta.header("content-length");
  remote.location = redirect ? ResolveUrl(head.url, meta.header("location")) : head.url;
  if (remote.commit.empty()) return Status::Corruption(head.url + ": no X-Repo-Commit header (not a hub?)");
  if (remote.etag.empty()) return Status::Corruption(head.url + ": no ETag header");
  if (size_text.empty()) return Status::Corruption(head.url + ": no size (X-Linked-Size / Content-Length)");
  remote.size = std::stoull(size_text);
  if (remote.etag.find('/') != std::string::npos || remote.etag.find("..") != std::string::npos)
    return Status::Corruption(head.url + ": ETag '" + remote.etag + "' is not a plain name");

  MHUB_RETURN_IF_ERROR(WriteCachedRef(repo_dir, revision, remote.commit));
  const std::string blob = repo_dir + "/blobs/" + remote.etag;
  const std::string snapshot_path = repo_dir + "/snapshots/" + remote.commit + "/" + filename;
  std::error_code ec;
  if (!force && fs::exists(blob, ec)) {
    MHUB_RETURN_IF_ERROR(LinkSnapshotFile(repo_dir, remote.commit, filename, remote.etag));
    return snapshot_path;
  }

  // 2. The blob, under a lock so parallel downloads of one blob do not interleave.
  fs::create_directories(repo_dir + "/blobs", ec);
  if (ec) return Status::IOError("cannot create " + repo_dir + "/blobs: " + ec.message());
  MHUB_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(config_.cache_dir + "/.locks/" + RepoFolderName(repo) + "/" +
                                                         remote.etag + ".lock"));
  if (force || !fs::exists(blob, ec)) {
    const std::string incomplete = blob + ".incomplete";
    int fd = ::open(incomplete.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Status::IOError("cannot open " + incomplete);
    struct FdGuard {
      int fd;
      ~FdGuard() { ::close(fd); }
    } guard{fd};
    struct stat st {};
    ::fstat(fd, &st);
    uint64_t have = static_cast<uint64_t>(st.st_size);
    if (force || have > remote.size) {
      have = 0;
      if (::ftruncate(fd, 0) != 0) return Status::IOError("cannot truncate " + incomplete);
    }
    ProgressBar bar("Downloading " + filename, remote.size);
    bar.Add(have);
    for (int attempt = 0; have < remote.size || remote.size == 0; ++attempt) {
      HttpRequest get;
      get.url = remote.location;
      // Only the hub itself gets the token, never a storage host it redirects to.
      if (HostOf(remote.location) == HostOf(config_.endpoint)) get.headers = AuthHeaders();
      if (have > 0) get.headers.emplace_back("range", "bytes=" + std::to_string(have) + "-");
      get.headers.emplace_back("accept-encoding", "identity");
      uint64_t write_pos = have;
      uint64_t flushed_upto = have;
      bool decided = false;
      BodySink sink = [&](long status, const char* data, size_t n) -> Status {
        if (!decided) {
          decided = true;
          if (status == 200 && write_pos > 0) {  // the server ignored Range: start over
            write_pos = 0;
            flushed_upto = 0;
            if (::ftruncate(fd, 0) != 0) return Status::IOError("cannot truncate " + incomplete);
          }
        }
        size_t off = 0;
        while (off < n) {
          ssize_t w = ::pwrite(fd, data + off, n - off, static_cast<off_t>(write_pos));
          if (w < 0) return Status::IOError("cannot write " + incomplete);
          off += static_cast<size_t>(w);
          write_pos += static_cast<uint64_t>(w);
        }
        // Start write-back as we go, so the final fsync has little left to wait for.
        if (write_pos - flushed_upto >= kWriteBehindBytes) {
          ::sync_file_range(fd, static_cast<off_t>(flushed_upto), static_cast<off_t>(write_pos - flushed_upto),
                            SYNC_FILE_RANGE_WRITE);
          flushed_upto = write_pos;
        }
        bar.Add(n);
        return Status::OK();
      };
      auto gr = http_.Perform(get, sink);
      if (gr.ok() && !gr->ok() && gr->status != 416) return StatusFromResponse(*gr, "GET " + remote.location);
      have = write_pos;
      if (gr.ok() || attempt >= 5) {
        if (!gr.ok()) return gr.status().WithContext("while downloading " + filename);
        break;
      }
      // A transport error mid-way: resume from what is on disk.
    }
    bar.Finish();
    if (have != remote.size) {
      return Status::Corruption("consistency check failed for " + filename + ": expected " +
                                std::to_string(remote.size) + " bytes, got " + std::to_string(have) +
                                " (the partial file is kept for resume)");
    }
    if (::ftruncate(fd, static_cast<off_t>(have)) != 0) return Status::IOError("cannot truncate " + incomplete);
    MHUB_RETURN_IF_ERROR(FsyncFd(fd, incomplete));
    MHUB_RETURN_IF_ERROR(Env::Default()->RenameDurable(incomplete, blob));
  }
  MHUB_RETURN_IF_ERROR(LinkSnapshotFile(repo_dir, remote.commit, filename, remote.etag));
  return snapshot_path;
}

Result<std::string> HubClient::hf_hub_download(const RepoRef& repo, const std::string& filename,
                                               const DownloadOptions& options) const {
  MHUB_RETURN_IF_ERROR(ValidateRepoId(repo.id));
  std::string path = options.subfolder.empty() ? filename : options.subfolder + "/" + filename;
  if (path.empty() || path.find("..") != std::string::npos || path[0] == '/')
    return Status::InvalidArgument("invalid file path '" + path + "'");
  std::string revision = options.revision.empty() ? "main" : options.revision;
  MHUB_ASSIGN_OR_RETURN(std::string cached, DownloadToCache(repo, path, revision, options.force_download));
  if (options.local_dir.empty()) return cached;
  return PlaceInLocalDir(cached, options.local_dir, path);
}

Result<std::string> HubClient::snapshot_download(const RepoRef& repo, const SnapshotOptions& options) const {
  MHUB_RETURN_IF_ERROR(ValidateRepoId(repo.id));
  const std::string revision = options.revision.empty() ? "main" : options.revision;
  const std::string repo_dir = RepoCacheDir(config_.cache_dir, repo);
  auto from_cache = [&]() -> Result<std::string> {
    MHUB_ASSIGN_OR_RETURN(std::string commit, CachedCommitForRevision(repo_dir, revision));
    std::string dir = repo_dir + "/snapshots/" + commit;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return Status::NotFound(repo.id + "@" + revision + " is not in the cache");
    return dir;
  };
  std::string snapshot_dir;
  std::vector<std::string> files;
  std::string commit;
  if (config_.offline) {
    auto cached = from_cache();
    if (!cached.ok()) return cached.status().WithContext("offline mode (HF_HUB_OFFLINE)");
    snapshot_dir = *cached;
  } else {
    auto info = repo_info(repo, revision);
    if (!info.ok()) {
      if (info.status().code() == StatusCode::kUnavailable) {
        auto cached = from_cache();
        if (cached.ok()) return cached;
      }
      return info.status().WithContext("while resolving " + repo.id + "@" + revision);
    }
    commit = info->sha;
    if (commit.empty()) return Status::Corruption("repo info of " + repo.id + " has no sha");
    MHUB_ASSIGN_OR_RETURN(auto entries, list_repo_tree(repo, commit, "", true));
    for (const auto& e : entries)
      if (e.type == "file" && PathPassesFilters(e.path, options.allow_patterns, options.ignore_patterns))
        files.push_back(e.path);
    MHUB_RETURN_IF_ERROR(WriteCachedRef(repo_dir, revision, commit));
    snapshot_dir = repo_dir + "/snapshots/" + commit;
    std::error_code ec;
    fs::create_directories(snapshot_dir, ec);
    if (ec) return Status::IOError("cannot create " + snapshot_dir + ": " + ec.message());

    ThreadPool pool(static_cast<size_t>(std::max(1, options.max_workers)));
    std::vector<Status> results(files.size());
    std::vector<std::future<void>> futures;
    for (size_t i = 0; i < files.size(); ++i) {
      futures.push_back(pool.Submit([&, i] { results[i] = DownloadToCache(repo, files[i], commit, false).status(); }));
    }
    for (auto& f : futures) f.wait();
    for (size_t i = 0; i < files.size(); ++i)
      MHUB_RETURN_IF_ERROR(results[i].WithContext("while downloading " + files[i] + " of " + repo.id));
  }
  if (options.local_dir.empty()) return snapshot_dir;
  if (files.empty()) {  // offline: place what the snapshot holds
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(snapshot_dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_directory()) continue;
      std::string rel = it->path().lexically_relative(snapshot_dir).generic_string();
      if (PathPassesFilters(rel, options.allow_patterns, options.ignore_patterns)) files.push_back(rel);
    }
  }
  for (const auto& f : files)
    MHUB_RETURN_IF_ERROR(PlaceInLocalDir(snapshot_dir + "/" + f, options.local_dir, f).status());
  return options.local_dir;
}

}  // namespace mhub::hub
