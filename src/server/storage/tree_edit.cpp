// In-memory tree editing over libgit2 (see tree_edit.h). Each folder on an operation's path is
// loaded once into a map; untouched subtrees keep their ids and are never read.
#include "server/storage/tree_edit.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "mhub/server/git_patterns.h"
#include "mhub/server/lfs_pointer.h"
#include "mhub/server/repo_errors.h"
#include "server/storage/git_fsck_rules.h"
#include "server/storage/git_util.h"

namespace mhub::server {
namespace {

struct Node;

struct Entry {
  git_oid oid{};
  git_filemode_t mode = GIT_FILEMODE_BLOB;
  std::unique_ptr<Node> dir;  // loaded contents when this is a folder on an operation's path
};

struct Node {
  std::map<std::string, Entry> entries;
};

bool IsTree(const Entry& e) { return e.mode == GIT_FILEMODE_TREE; }

class TreeEditor {
 public:
  explicit TreeEditor(git_repository* repo) : repo_(repo) {}

  Status LoadRoot(const git_tree* base) {
    if (base == nullptr) return Status::OK();
    return LoadInto(&root_, base);
  }

  // The folder holding `path`'s last segment; creates missing folders when `create`.
  // Returns nullptr (and OK) when a folder is missing and !create.
  Result<Node*> Parent(const std::string& path, bool create) {
    Node* node = &root_;
    size_t start = 0;
    for (;;) {
      const size_t slash = path.find('/', start);
      if (slash == std::string::npos) return node;
      const std::string seg = path.substr(start, slash - start);
      auto it = node->entries.find(seg);
      if (it == node->entries.end()) {
        if (!create) return static_cast<Node*>(nullptr);
        Entry e;
        e.mode = GIT_FILEMODE_TREE;
        e.dir = std::make_unique<Node>();
        it = node->entries.emplace(seg, std::move(e)).first;
      } else if (!IsTree(it->second)) {
        if (!create) return static_cast<Node*>(nullptr);
        return Status::InvalidArgument("cannot write '" + path + "': '" + path.substr(0, slash) + "' is a file");
      }
      if (!it->second.dir) {
        it->second.dir = std::make_unique<Node>();
        MHUB_RETURN_IF_ERROR(LoadOid(it->second.dir.get(), it->second.oid));
      }
      node = it->second.dir.get();
      start = slash + 1;
    }
  }

  static std::string Leaf(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }

  Status PutBlob(const std::string& path, std::string_view content) {
    git_oid oid;
    const int rc = git_blob_create_from_buffer(&oid, repo_, content.data(), content.size());
    if (rc != 0) return git::Error(rc, "writing blob for '" + path + "'");
    return PutEntry(path, oid);
  }

  // The blob is `size` bytes at `offset` of `file`, streamed into the object database in chunks.
  Status PutBlobFromFile(const std::string& path, const std::string& file, uint64_t offset, uint64_t size) {
    git_odb* odb_raw = nullptr;
    int rc = git_repository_odb(&odb_raw, repo_);
    if (rc != 0) return git::Error(rc, "opening the object database");
    git::OdbPtr odb(odb_raw);
    git_odb_stream* stream = nullptr;
    rc = git_odb_open_wstream(&stream, odb.get(), size, GIT_OBJECT_BLOB);
    if (rc != 0) return git::Error(rc, "writing blob for '" + path + "'");
    std::unique_ptr<git_odb_stream, void (*)(git_odb_stream*)> owned(stream, git_odb_stream_free);
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError("cannot open " + file);
    std::string buf(std::min<uint64_t>(size, 1u << 20), '\0');
    uint64_t done = 0;
    Status st = Status::OK();
    while (done < size && st.ok()) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - done));
      const ssize_t r = ::pread(fd, buf.data(), want, static_cast<off_t>(offset + done));
      if (r <= 0) {
        st = Status::IOError("cannot read " + file);
        break;
      }
      rc = git_odb_stream_write(stream, buf.data(), static_cast<size_t>(r));
      if (rc != 0) st = git::Error(rc, "writing blob for '" + path + "'");
      done += static_cast<uint64_t>(r);
    }
    ::close(fd);
    MHUB_RETURN_IF_ERROR(st);
    git_oid oid;
    rc = git_odb_stream_finalize_write(&oid, stream);
    if (rc != 0) return git::Error(rc, "writing blob for '" + path + "'");
    return PutEntry(path, oid);
  }

  Status PutEntry(const std::string& path, const git_oid& oid) {
    MHUB_ASSIGN_OR_RETURN(Node * parent, Parent(path, true));
    const std::string leaf = Leaf(path);
    auto it = parent->entries.find(leaf);
    if (it != parent->entries.end() && IsTree(it->second)) {
      return Status::InvalidArgument("cannot write file '" + path + "': a folder with that name exists");
    }
    git_filemode_t mode = GIT_FILEMODE_BLOB;
    if (it != parent->entries.end() && it->second.mode == GIT_FILEMODE_BLOB_EXECUTABLE) mode = it->second.mode;
    Entry e;
    e.oid = oid;
    e.mode = mode;
    parent->entries[leaf] = std::move(e);
    return Status::OK();
  }

  Status Remove(const std::string& path, bool folder) {
    MHUB_ASSIGN_OR_RETURN(Node * parent, Parent(path, false));
    const char* what = folder ? "folder" : "file";
    if (parent == nullptr)
      return EntryNotFoundError(std::string("cannot delete ") + what + " '" + path + "': not found");
    auto it = parent->entries.find(Leaf(path));
    if (it == parent->entries.end() || IsTree(it->second) != folder) {
      return EntryNotFoundError(std::string("cannot delete ") + what + " '" + path + "': not found");
    }
    parent->entries.erase(it);
    return Status::OK();
  }

  // Content of a root-level file, or "" when absent.
  Result<std::string> ReadRootFile(const std::string& name) {
    auto it = root_.entries.find(name);
    if (it == root_.entries.end() || IsTree(it->second)) return std::string();
    git_blob* blob = nullptr;
    const int rc = git_blob_lookup(&blob, repo_, &it->second.oid);
    if (rc != 0) return git::Error(rc, "reading " + name);
    git::BlobPtr owned(blob);
    return std::string(static_cast<const char*>(git_blob_rawcontent(blob)), git_blob_rawsize(blob));
  }

  Result<git_oid> Write() {
    MHUB_ASSIGN_OR_RETURN(auto oid, WriteNode(&root_));
    return oid;
  }

 private:
  Status LoadOid(Node* node, const git_oid& oid) {
    git_tree* tree = nullptr;
    const int rc = git_tree_lookup(&tree, repo_, &oid);
    if (rc != 0) return git::Error(rc, "reading tree " + git::OidHex(oid));
    git::TreePtr owned(tree);
    return LoadInto(node, tree);
  }

  static Status LoadInto(Node* node, const git_tree* tree) {
    const size_t n = git_tree_entrycount(tree);
    for (size_t i = 0; i < n; ++i) {
      const git_tree_entry* te = git_tree_entry_byindex(tree, i);
      Entry e;
      e.oid = *git_tree_entry_id(te);
      e.mode = git_tree_entry_filemode(te);
      node->entries.emplace(git_tree_entry_name(te), std::move(e));
    }
    return Status::OK();
  }

  // Writes a loaded folder; a folder left empty is written as the empty tree (the caller drops it).
  Result<git_oid> WriteNode(Node* node) {
    git_treebuilder* raw = nullptr;
    int rc = git_treebuilder_new(&raw, repo_, nullptr);
    if (rc != 0) return git::Error(rc, "creating tree builder");
    git::TreeBuilderPtr bld(raw);
    for (auto& [name, entry] : node->entries) {
      git_oid oid = entry.oid;
      if (entry.dir) {
        if (entry.dir->entries.empty()) continue;  // git keeps no empty folders
        MHUB_ASSIGN_OR_RETURN(oid, WriteNode(entry.dir.get()));
        if (IsEmptyTreeOid(oid)) continue;
      }
      rc = git_treebuilder_insert(nullptr, bld.get(), name.c_str(), &oid, entry.mode);
      if (rc != 0) return git::Error(rc, "adding '" + name + "' to a tree");
    }
    git_oid out;
    rc = git_treebuilder_write(&out, bld.get());
    if (rc != 0) return git::Error(rc, "writing tree");
    return out;
  }

  static bool IsEmptyTreeOid(const git_oid& oid) {
    return git::OidHex(oid) == "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
  }

  git_repository* repo_;
  Node root_;
};

}  // namespace

Result<git_oid> BuildTree(git_repository* repo, const git_tree* base, const std::vector<CommitOperation>& ops) {
  TreeEditor editor(repo);
  MHUB_RETURN_IF_ERROR(editor.LoadRoot(base));
  std::vector<std::string> lfs_paths;
  for (const CommitOperation& op : ops) {
    switch (op.kind) {
      case CommitOperation::Kind::kAddFile:
        if (op.content_file.empty()) {
          MHUB_RETURN_IF_ERROR(editor.PutBlob(op.path, op.content));
        } else {
          MHUB_RETURN_IF_ERROR(editor.PutBlobFromFile(op.path, op.content_file, op.content_offset, op.content_size));
        }
        break;
      case CommitOperation::Kind::kAddLfsFile:
        MHUB_RETURN_IF_ERROR(
            editor.PutBlob(op.path, FormatLfsPointer(LfsPointer{op.lfs_oid, op.lfs_size.value_or(0)})));
        lfs_paths.push_back(op.path);
        break;
      case CommitOperation::Kind::kDeleteFile:
        MHUB_RETURN_IF_ERROR(editor.Remove(op.path, false));
        break;
      case CommitOperation::Kind::kDeleteFolder:
        MHUB_RETURN_IF_ERROR(editor.Remove(op.path, true));
        break;
    }
  }
  if (!lfs_paths.empty()) {
    MHUB_ASSIGN_OR_RETURN(std::string attributes, editor.ReadRootFile(".gitattributes"));
    const std::string before = attributes;
    // Each added line matches only its own path, so checking against the original rules is enough.
    const GitAttributes rules(before);
    std::set<std::string> added;
    for (const std::string& path : lfs_paths) {
      if (rules.IsLfs(path) || !added.insert(path).second) continue;
      if (!attributes.empty() && attributes.back() != '\n') attributes += '\n';
      attributes += GitAttributesLfsLine(path) + "\n";
    }
    if (attributes != before) {
      // A very long path makes a tracking line git's fsck refuses (gitattributesLineLength).
      Status st = fsck::CheckGitattributes(attributes);
      if (!st.ok()) return Status::InvalidArgument("cannot track the LFS files in .gitattributes: " + st.message());
      MHUB_RETURN_IF_ERROR(editor.PutBlob(".gitattributes", attributes));
    }
  }
  return editor.Write();
}

}  // namespace mhub::server
