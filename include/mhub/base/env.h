// Env: all file-system writes that must survive crashes go through here, so tests can inject
// faults (a full disk, a crash between steps) by installing their own Env.
//
// WriteFileAtomic guarantees: after it returns OK the file holds exactly `data` and is durable
// (temp file in the same directory, fsync, rename, fsync of the directory). If it fails or the
// process dies, the old content (or no file) is visible, never a partial write.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"

namespace mhub {

class Env {
 public:
  virtual ~Env() = default;

  virtual Result<std::string> ReadFile(const std::string& path);
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data);
  // Moves an already written and fsynced temp file into place atomically (rename + dir fsync).
  virtual Status RenameDurable(const std::string& from, const std::string& to);
  virtual Status CreateDirs(const std::string& path);
  virtual bool FileExists(const std::string& path);
  virtual Result<uint64_t> FileSize(const std::string& path);
  virtual Status RemoveFile(const std::string& path);

  // The process-wide Env (the real file system unless a test replaced it).
  static Env* Default();
  // Replaces the default; returns the previous one. For tests.
  static Env* SetDefault(Env* env);
};

// Shorthands over Env::Default().
Result<std::string> ReadFile(const std::string& path);
Status WriteFileAtomic(const std::string& path, std::string_view data);
// A unique temp path next to `path` (same directory, so a rename is atomic).
std::string TempPathFor(const std::string& path);
// fsyncs an open file descriptor / a directory by path.
Status FsyncFd(int fd, const std::string& what);
Status FsyncDir(const std::string& dir);

}  // namespace mhub
