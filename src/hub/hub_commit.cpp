// Uploads: preupload (regular vs LFS), LFS batch + transfers, then one NDJSON commit.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "hub/git_blob_oid.h"
#include "hub/upload_progress.h"
#include "mhub/base/base64.h"
#include "mhub/base/sha256.h"
#include "mhub/base/thread_pool.h"
#include "mhub/hub/hub_client.h"
#include "mhub/hub/path_in_repo.h"
#include "mhub/hub/patterns.h"

namespace mhub::hub {

// An add operation once its bytes are known.
struct PreparedAdd {
  const CommitOperation* op = nullptr;
  uint64_t size = 0;
  std::string sha256;
  std::string sample;  // first 512 bytes
  bool lfs = false;
  bool should_ignore = false;
  std::string remote_oid;  // what the revision holds at this path (git blob sha1, or LFS sha256)
  bool unchanged = false;  // remote_oid equals our bytes: left out of the commit
};

CommitOperation CommitOperation::AddFile(std::string path_in_repo, std::string local_path) {
  CommitOperation op;
  op.kind = Kind::kAdd;
  op.path_in_repo = std::move(path_in_repo);
  op.local_path = std::move(local_path);
  return op;
}

CommitOperation CommitOperation::AddBytes(std::string path_in_repo, std::string content) {
  CommitOperation op;
  op.kind = Kind::kAdd;
  op.path_in_repo = std::move(path_in_repo);
  op.content = std::move(content);
  return op;
}

CommitOperation CommitOperation::Delete(std::string path_in_repo) {
  CommitOperation op;
  op.kind = Kind::kDelete;
  op.path_in_repo = std::move(path_in_repo);
  return op;
}

CommitOperation CommitOperation::DeleteFolder(std::string path_in_repo) {
  CommitOperation op;
  op.kind = Kind::kDeleteFolder;
  op.path_in_repo = std::move(path_in_repo);
  return op;
}

namespace {

// Reads the file once: size, sha256 and the 512-byte sample.
Status HashAdd(PreparedAdd& add) {
  const CommitOperation& op = *add.op;
  if (op.local_path.empty()) {
    add.size = op.content.size();
    add.sha256 = Sha256Hex(op.content);
    add.sample = op.content.substr(0, 512);
    return Status::OK();
  }
  std::ifstream in(op.local_path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + op.local_path + " for upload");
  Sha256 hasher;
  std::string buf(1 << 20, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    if (add.sample.size() < 512) add.sample.append(buf.data(), std::min<size_t>(512 - add.sample.size(), size_t(n)));
    hasher.Update(buf.data(), static_cast<size_t>(n));
    add.size += static_cast<uint64_t>(n);
  }
  if (in.bad()) return Status::IOError("error reading " + op.local_path);
  add.sha256 = hasher.FinishHex();
  return Status::OK();
}

Result<std::string> ReadAddContent(const CommitOperation& op) {
  if (op.local_path.empty()) return op.content;
  std::ifstream in(op.local_path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + op.local_path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data;
}

// The git blob id of the bytes to add, as the hub reports regular files.
Result<std::string> LocalBlobOid(const CommitOperation& op) {
  if (op.local_path.empty()) return hub::GitBlobOid(op.content);
  return GitBlobOidOfFile(op.local_path);
}

// Copies of the operations with their paths normalized; InvalidArgument for a path that can
// name no file (or, for deletions of a folder, the root).
Result<std::vector<CommitOperation>> NormalizeOperations(const std::vector<CommitOperation>& requested) {
  std::vector<CommitOperation> out = requested;
  for (auto& op : out) {
    if (op.kind == CommitOperation::Kind::kDeleteFolder) {
      MHUB_ASSIGN_OR_RETURN(std::string folder, NormalizeFolderInRepo(op.path_in_repo));
      if (folder.empty()) return Status::InvalidArgument("deleting the repo root as a folder is not allowed");
      op.path_in_repo = folder;
    } else {
      MHUB_ASSIGN_OR_RETURN(op.path_in_repo, NormalizePathInRepo(op.path_in_repo));
    }
  }
  return out;
}

std::string JoinRepoPath(const std::string& folder, const std::string& rel) {
  return folder.empty() ? rel : folder + "/" + rel;
}

}  // namespace

Status HubClient::UploadLfsObjects(const RepoRef& repo, const std::string& revision,
                                   const std::vector<PreparedAdd*>& lfs, const CommitOptions& options,
                                   size_t* reused) const {
  if (lfs.empty()) return Status::OK();
  // Dedupe by oid: the same content under two paths uploads once.
  std::map<std::string, PreparedAdd*> by_oid;
  for (auto* a : lfs) by_oid.emplace(a->sha256, a);

  Json objects = Json::array();
  for (const auto& [oid, a] : by_oid) objects.push_back({{"oid", oid}, {"size", a->size}});
  Json batch = {{"operation", "upload"},
                {"transfers", {"basic", "multipart"}},
                {"objects", objects},
                {"hash_algo", "sha256"},
                {"ref", {{"name", revision}}}};
  HttpRequest req;
  req.method = "POST";
  req.url = config_.endpoint + "/" + repo.UrlPrefix() + repo.id + ".git/info/lfs/objects/batch";
  req.headers = AuthHeaders();
  req.headers.emplace_back("accept", "application/vnd.git-lfs+json");
  req.headers.emplace_back("content-type", "application/vnd.git-lfs+json");
  req.body = DumpJson(batch);
  MHUB_ASSIGN_OR_RETURN(HttpResponse resp, http_.Perform(req));
  if (!resp.ok()) return StatusFromResponse(resp, "LFS batch for " + repo.id);
  MHUB_ASSIGN_OR_RETURN(Json answer, ParseJson(resp.body, "LFS batch response"));
  if (!answer.contains("objects") || !answer["objects"].is_array())
    return Status::Corruption("LFS batch response for " + repo.id + " has no objects array");
  std::string transfer = answer.value("transfer", "basic");
  if (transfer != "basic" && transfer != "multipart")
    return Status::Unsupported("LFS batch chose transfer '" + transfer + "'; mhub speaks basic and multipart");

  // One bar for the whole upload (files and bytes) with a bar per file under it while it is sent.
  uint64_t total_bytes = 0;
  for (const auto& [oid, a] : by_oid) total_bytes += a->size;
  UploadProgress progress(by_oid.size(), total_bytes);
  std::atomic<size_t> reused_count{0};
  auto file_done = [&](const PreparedAdd* add, bool was_there) {
    if (was_there) {
      reused_count.fetch_add(1);
      progress.SkipFile(add->size);
    }
    if (options.on_lfs_file_done) options.on_lfs_file_done(add->op->path_in_repo, add->size, was_there);
  };

  auto upload_one = [&](const Json& obj, PreparedAdd* add) -> Status {
    if (obj.contains("error")) {
      return Status::InvalidArgument("LFS batch refused " + add->op->path_in_repo + ": " +
                                     obj["error"].value("message", std::string("unknown error")));
    }
    if (!obj.contains("actions") || !obj["actions"].contains("upload")) {  // already stored
      file_done(add, true);
      return Status::OK();
    }
    const Json& upload = obj["actions"]["upload"];
    MHUB_ASSIGN_OR_RETURN(std::string href, JsonString(upload, "href", "actions.upload"));
    Json header = upload.value("header", Json::object());
    const CommitOperation& op = *add->op;
    const size_t slot = progress.BeginFile(op.path_in_repo, add->size);

    auto put_slice = [&](const std::string& url, uint64_t offset, uint64_t length,
                         const std::vector<std::pair<std::string, std::string>>& headers) -> Result<HttpResponse> {
      HttpRequest put;
      put.method = "PUT";
      put.url = url;
      put.headers = headers;
      put.headers.emplace_back("content-type", "application/octet-stream");
      if (op.local_path.empty()) {
        put.body = op.content.substr(offset, length);
      } else {
        put.body_file = op.local_path;
        put.body_file_offset = offset;
        put.body_file_length = length;
      }
      uint64_t last = 0;
      auto on_sent = [&](uint64_t sent) {
        if (sent > last) progress.Add(slot, sent - last);
        last = std::max(last, sent);
      };
      MHUB_ASSIGN_OR_RETURN(HttpResponse r, http_.Perform(put, nullptr, on_sent));
      if (op.local_path.empty()) progress.Add(slot, length);
      if (!r.ok()) return StatusFromResponse(r, "LFS upload of " + op.path_in_repo);
      return r;
    };

    if (header.contains("chunk_size")) {
      uint64_t chunk = 0;
      const Json& cs = header["chunk_size"];
      chunk = cs.is_string() ? std::stoull(cs.get<std::string>()) : cs.get<uint64_t>();
      if (chunk == 0) return Status::Corruption("LFS multipart chunk_size is 0");
      std::vector<std::pair<int, std::string>> parts;
      for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& k = it.key();
        if (!k.empty() && std::all_of(k.begin(), k.end(), ::isdigit) && it->is_string())
          parts.emplace_back(std::stoi(k), it->get<std::string>());
      }
      std::sort(parts.begin(), parts.end());
      uint64_t expected = (add->size + chunk - 1) / chunk;
      if (parts.size() != expected)
        return Status::Corruption("LFS multipart: " + std::to_string(parts.size()) + " part URLs for " +
                                  std::to_string(expected) + " parts");
      Json done_parts = Json::array();
      for (size_t i = 0; i < parts.size(); ++i) {
        uint64_t offset = i * chunk;
        MHUB_ASSIGN_OR_RETURN(HttpResponse r,
                              put_slice(parts[i].second, offset, std::min(chunk, add->size - offset), {}));
        std::string etag = r.header("etag");
        if (etag.empty())
          return Status::Corruption("LFS multipart: part " + std::to_string(parts[i].first) + " has no ETag");
        done_parts.push_back({{"partNumber", parts[i].first}, {"etag", etag}});
      }
      HttpRequest complete;
      complete.method = "POST";
      complete.url = href;
      complete.headers = {{"accept", "application/vnd.git-lfs+json"}, {"content-type", "application/vnd.git-lfs+json"}};
      complete.body = DumpJson(Json{{"oid", add->sha256}, {"parts", done_parts}});
      MHUB_ASSIGN_OR_RETURN(HttpResponse cr, http_.Perform(complete));
      if (!cr.ok()) return StatusFromResponse(cr, "LFS multipart completion of " + op.path_in_repo);
    } else {
      std::vector<std::pair<std::string, std::string>> headers;
      for (auto it = header.begin(); it != header.end(); ++it)
        if (it->is_string()) headers.emplace_back(it.key(), it->get<std::string>());
      MHUB_RETURN_IF_ERROR(put_slice(href, 0, add->size, headers).status());
    }

    if (obj["actions"].contains("verify")) {
      const Json& verify = obj["actions"]["verify"];
      HttpRequest v;
      v.method = "POST";
      MHUB_ASSIGN_OR_RETURN(v.url, JsonString(verify, "href", "actions.verify"));
      v.headers = AuthHeaders();
      if (verify.contains("header") && verify["header"].is_object()) {
        for (auto it = verify["header"].begin(); it != verify["header"].end(); ++it)
          if (it->is_string()) v.headers.emplace_back(it.key(), it->get<std::string>());
      }
      v.headers.emplace_back("accept", "application/vnd.git-lfs+json");
      v.headers.emplace_back("content-type", "application/vnd.git-lfs+json");
      v.body = DumpJson(Json{{"oid", add->sha256}, {"size", add->size}});
      MHUB_ASSIGN_OR_RETURN(HttpResponse vr, http_.Perform(v));
      if (!vr.ok()) return StatusFromResponse(vr, "LFS verify of " + op.path_in_repo);
    }
    progress.EndFile(slot);
    file_done(add, false);
    return Status::OK();
  };

  std::vector<std::pair<Json, PreparedAdd*>> work;
  for (const auto& obj : answer["objects"]) {
    std::string oid = obj.value("oid", std::string());
    auto it = by_oid.find(oid);
    if (it == by_oid.end()) return Status::Corruption("LFS batch answered for unknown oid " + oid);
    work.emplace_back(obj, it->second);
  }
  ThreadPool pool(static_cast<size_t>(std::max(1, options.lfs_parallelism)));
  std::vector<Status> results(work.size());
  std::vector<std::future<void>> futures;
  for (size_t i = 0; i < work.size(); ++i) {
    futures.push_back(pool.Submit([&, i] { results[i] = upload_one(work[i].first, work[i].second); }));
  }
  for (auto& f : futures) f.wait();
  progress.Finish();
  if (reused != nullptr) *reused = reused_count.load();
  for (const auto& s : results) MHUB_RETURN_IF_ERROR(s);
  return Status::OK();
}

Result<CommitInfo> HubClient::create_commit(const RepoRef& repo, const std::vector<CommitOperation>& requested,
                                            const CommitOptions& options) const {
  MHUB_RETURN_IF_ERROR(ValidateRepoId(repo.id));
  const std::string revision = options.revision.empty() ? "main" : options.revision;
  // Paths are normalized first ("./a", "/a" -> "a"), as the server will, so its preupload answer
  // names the same paths we ask about.
  MHUB_ASSIGN_OR_RETURN(std::vector<CommitOperation> operations, NormalizeOperations(requested));
  std::vector<PreparedAdd> adds;
  for (const auto& op : operations) {
    if (op.kind != CommitOperation::Kind::kAdd) continue;
    PreparedAdd a;
    a.op = &op;
    MHUB_RETURN_IF_ERROR(HashAdd(a));
    adds.push_back(std::move(a));
  }
  std::string head_commit;  // the revision's head, from the preupload answer

  // 1. preupload: which files go to LFS, which are ignored by .gitignore.
  const std::string preupload_url = repo.ApiPath() + "/preupload/" + UrlEncode(revision);
  for (size_t start = 0; start < adds.size(); start += 256) {
    Json files = Json::array();
    size_t end = std::min(adds.size(), start + 256);
    for (size_t i = start; i < end; ++i) {
      files.push_back(
          {{"path", adds[i].op->path_in_repo}, {"size", adds[i].size}, {"sample", Base64Encode(adds[i].sample)}});
    }
    MHUB_ASSIGN_OR_RETURN(Json answer, SendJson("POST", preupload_url, Json{{"files", files}}));
    if (!answer.contains("files") || !answer["files"].is_array())
      return Status::Corruption("preupload answer for " + repo.id + " has no files array");
    std::map<std::string, const Json*> by_path;
    for (const auto& f : answer["files"])
      if (f.contains("path") && f["path"].is_string()) by_path[f["path"].get<std::string>()] = &f;
    for (size_t i = start; i < end; ++i) {
      auto it = by_path.find(adds[i].op->path_in_repo);
      if (it == by_path.end())
        return Status::Corruption("preupload answer does not mention " + adds[i].op->path_in_repo);
      const Json& f = *it->second;
      std::string mode = f.value("uploadMode", std::string("regular"));
      if (mode != "lfs" && mode != "regular")
        return Status::Corruption("preupload: unknown uploadMode '" + mode + "' for " + adds[i].op->path_in_repo);
      adds[i].lfs = mode == "lfs" && adds[i].size > 0;
      adds[i].should_ignore = f.value("shouldIgnore", false);
      if (f.contains("oid") && f["oid"].is_string()) adds[i].remote_oid = f["oid"].get<std::string>();
    }
    if (answer.contains("commitOid") && answer["commitOid"].is_string())
      head_commit = answer["commitOid"].get<std::string>();
  }

  // Files whose bytes the revision already holds at the same path are left out (huggingface_hub
  // does the same); a commit with nothing left is not made.
  CommitInfo info;
  for (auto& a : adds) {
    if (a.should_ignore || a.remote_oid.empty()) continue;
    std::string local_oid = a.sha256;
    if (!a.lfs) {
      MHUB_ASSIGN_OR_RETURN(local_oid, LocalBlobOid(*a.op));
    }
    if (local_oid == a.remote_oid) {
      a.unchanged = true;
      info.unchanged_paths.push_back(a.op->path_in_repo);
    }
  }
  bool any_change = false;
  for (const auto& a : adds) any_change = any_change || (!a.should_ignore && !a.unchanged);
  for (const auto& op : operations) any_change = any_change || op.kind != CommitOperation::Kind::kAdd;
  if (!any_change && !head_commit.empty()) {
    info.empty = true;
    info.commit_oid = head_commit;
    info.commit_url = config_.endpoint + "/" + repo.UrlPrefix() + repo.id + "/commit/" + head_commit;
    return info;
  }

  // 2. LFS uploads.
  std::vector<PreparedAdd*> lfs;
  for (auto& a : adds)
    if (a.lfs && !a.should_ignore && !a.unchanged) lfs.push_back(&a);
  MHUB_RETURN_IF_ERROR(UploadLfsObjects(repo, revision, lfs, options, &info.lfs_files_reused));

  // 3. The NDJSON commit.
  std::string message = options.commit_message.empty() ? "Upload with mhub" : options.commit_message;
  Json header = {{"summary", message}, {"description", options.commit_description}};
  if (!options.parent_commit.empty()) header["parentCommit"] = options.parent_commit;
  std::string ndjson = DumpJson(Json{{"key", "header"}, {"value", header}}) + "\n";
  for (const auto& a : adds) {
    if (a.should_ignore || a.unchanged) continue;
    if (a.lfs) {
      ndjson +=
          DumpJson(Json{
              {"key", "lfsFile"},
              {"value", {{"path", a.op->path_in_repo}, {"algo", "sha256"}, {"oid", a.sha256}, {"size", a.size}}}}) +
          "\n";
    } else {
      MHUB_ASSIGN_OR_RETURN(std::string content, ReadAddContent(*a.op));
      ndjson +=
          DumpJson(Json{
              {"key", "file"},
              {"value", {{"path", a.op->path_in_repo}, {"content", Base64Encode(content)}, {"encoding", "base64"}}}}) +
          "\n";
    }
  }
  for (const auto& op : operations) {
    if (op.kind == CommitOperation::Kind::kDelete)
      ndjson += DumpJson(Json{{"key", "deletedFile"}, {"value", {{"path", op.path_in_repo}}}}) + "\n";
    if (op.kind == CommitOperation::Kind::kDeleteFolder)
      ndjson += DumpJson(Json{{"key", "deletedFolder"}, {"value", {{"path", op.path_in_repo}}}}) + "\n";
  }
  const std::string commit_url = repo.ApiPath() + "/commit/" + UrlEncode(revision);
  MHUB_ASSIGN_OR_RETURN(HttpResponse r, Request("POST", commit_url, ndjson, "application/x-ndjson"));
  if (!r.ok()) {
    Status s = StatusFromResponse(r, "commit to " + repo.id + "@" + revision);
    if (s.code() == StatusCode::kAlreadyExists) s = Status(StatusCode::kConflict, s.message());
    return s;
  }
  MHUB_ASSIGN_OR_RETURN(Json answer, ParseJson(r.body, "commit response"));
  MHUB_ASSIGN_OR_RETURN(info.commit_oid, JsonString(answer, "commitOid", "commit response"));
  MHUB_ASSIGN_OR_RETURN(info.commit_url, JsonStringOr(answer, "commitUrl", "commit response", ""));
  info.commit_message = message;
  return info;
}

Result<CommitInfo> HubClient::upload_file(const RepoRef& repo, const std::string& local_path,
                                          const std::string& path_in_repo, const CommitOptions& options) const {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(local_path, ec)) return Status::NotFound("no such file: " + local_path);
  CommitOptions o = options;
  if (o.commit_message.empty()) o.commit_message = "Upload " + path_in_repo + " with mhub";
  return create_commit(repo, {CommitOperation::AddFile(path_in_repo, local_path)}, o);
}

Result<CommitInfo> HubClient::upload_folder(const RepoRef& repo, const std::string& folder,
                                            const UploadFolderOptions& options) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return Status::NotFound("no such folder: " + folder);
  MHUB_ASSIGN_OR_RETURN(const std::string prefix_folder, NormalizeFolderInRepo(options.path_in_repo));
  std::vector<CommitOperation> ops;
  std::set<std::string> uploaded;
  std::vector<std::string> rels;
  // Normalised without a trailing '/', so paths relative to it have no "../" artefacts.
  fs::path base = fs::path(folder).lexically_normal();
  if (base.filename().empty() && base.has_parent_path()) base = base.parent_path();
  for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string rel = it->path().lexically_relative(base).generic_string();
    // Never upload VCS data or huggingface_hub's local-dir metadata.
    if (rel.rfind(".git/", 0) == 0 || rel.find("/.git/") != std::string::npos) continue;
    if (rel.rfind(".cache/huggingface/", 0) == 0) continue;
    if (!PathPassesFilters(rel, options.allow_patterns, options.ignore_patterns)) continue;
    rels.push_back(rel);
  }
  if (ec) return Status::IOError("while walking " + folder + ": " + ec.message());
  std::sort(rels.begin(), rels.end());
  for (const auto& rel : rels) {
    std::string in_repo = JoinRepoPath(prefix_folder, rel);
    uploaded.insert(in_repo);
    ops.push_back(CommitOperation::AddFile(in_repo, (base / rel).string()));
  }
  if (!options.delete_patterns.empty()) {
    auto remote = list_repo_files(repo, options.commit.revision.empty() ? "main" : options.commit.revision);
    if (!remote.ok() && remote.status().code() != StatusCode::kNotFound) return remote.status();
    if (remote.ok()) {
      std::string prefix = prefix_folder.empty() ? "" : prefix_folder + "/";
      for (const auto& path : *remote) {
        if (uploaded.count(path)) continue;
        if (!prefix.empty() && path.rfind(prefix, 0) != 0) continue;
        std::string rel = prefix.empty() ? path : path.substr(prefix.size());
        if (PathPassesFilters(rel, options.delete_patterns, {})) ops.push_back(CommitOperation::Delete(path));
      }
    }
  }
  CommitOptions o = options.commit;
  if (o.commit_message.empty()) o.commit_message = "Upload folder with mhub";
  return create_commit(repo, ops, o);
}

}  // namespace mhub::hub
