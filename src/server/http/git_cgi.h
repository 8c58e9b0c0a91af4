// Runs `git http-backend` (the CGI program shipped with git) for one smart-HTTP request:
// info/refs, git-upload-pack, git-receive-pack. The request body comes from a file and the CGI
// output goes to a temp file, so packs of any size never sit in memory. Every run has git's fsck
// rules on for received objects (receive.fsckObjects: git fsck --strict's verdicts, including the
// HFS+/NTFS spellings of .git and bad .gitmodules), set per run so repos made before need no
// config change.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "mhub/base/result.h"
#include "mhub/server/http_types.h"

namespace mhub::server {

struct GitCgiRequest {
  std::string project_root;      // GIT_PROJECT_ROOT
  std::string path_info;         // "/models/ns/name.git/info/refs"
  std::string method;            // REQUEST_METHOD
  std::string query_string;      // raw query ("service=git-upload-pack")
  std::string content_type;      // CONTENT_TYPE
  std::string content_encoding;  // HTTP_CONTENT_ENCODING ("gzip" from git clients)
  std::string git_protocol;      // HTTP_GIT_PROTOCOL ("version=2")
  std::string remote_user;       // REMOTE_USER; empty for anonymous
  std::string remote_addr;
  bool allow_receive_pack = false;  // sets http.receivepack for this run
  std::string body_path;            // request body file; empty: no body
  std::string tmp_dir;              // where the output file is written
  // For pushes: called at git's pre-receive stage, after git has checked the pushed objects with
  // its fsck rules (receive.fsckObjects, always on) and before any ref moves. Gets git's
  // quarantine directory (the pushed objects, not yet in the repo) and the "<old> <new> <ref>"
  // lines; an error refuses the whole push and its message reaches the git client as "remote:"
  // lines. Runs on the calling thread while git waits (a hook script hands over through FIFOs).
  std::function<Status(const std::string& quarantine_dir, const std::string& ref_lines)> pre_receive;
};

struct GitCgiResponse {
  int status = 200;
  HeaderList headers;  // CGI headers except Status
  FileBody body;       // the rest of the output file (remove_after = true)
};

Result<GitCgiResponse> RunGitHttpBackend(const GitCgiRequest& request);

}  // namespace mhub::server
