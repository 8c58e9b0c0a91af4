// git's own rules for what a tree and its .gitmodules / .gitattributes may hold, as `git fsck
// --strict` and receive.fsckObjects apply them (git 2.39: fsck.c fsck_tree / fsck_blob, path.c
// is_ntfs_dotgit, utf8.c is_hfs_dotgit, submodule-config.c check_submodule_name). The commit API
// applies them to what it writes, so nothing the API accepts is refused by a git client or by
// `git fsck --strict`; pushes get the same rules from git itself (receive.fsckObjects).
// Every error is InvalidArgument whose message names the rule by git's fsck message id
// ("hasDotgit", "gitmodulesUrl", ...), so users can look it up in git-fsck(1).
#pragma once

#include <string_view>

#include "mhub/base/result.h"

namespace mhub::server::fsck {

// HFS+ spelling of ".<needle>": ignores the zero-width code points HFS+ drops (U+200C..U+200F,
// U+202A..U+202E, U+206A..U+206F, U+FEFF) and ASCII case. `needle` is lower-case ASCII ("git").
bool IsHfsDotName(std::string_view name, std::string_view needle);
// NTFS spellings of ".git": any case, trailing spaces and dots, an ":stream" suffix, and the 8.3
// short name "git~1".
bool IsNtfsDotGit(std::string_view name);
// NTFS spellings of ".<needle>" with its 8.3 short names: "<first 6>~1".."~4" and the hashed
// fall-back "<short_prefix>~N" (git's "gi7eba" for gitmodules).
bool IsNtfsDotName(std::string_view name, std::string_view needle, std::string_view short_prefix);

// Names git treats as ".gitmodules" / ".gitattributes" (and so checks the blob behind).
bool IsGitmodulesName(std::string_view name);
bool IsGitattributesName(std::string_view name);

// One tree entry name: emptyName, hasDot, hasDotdot, hasDotgit (incl. HFS+/NTFS spellings and
// "\\"-separated parts), fullPathname ('/').
Status CheckTreeEntryName(std::string_view name);

// The blob of a .gitmodules: for every [submodule "NAME"] section, gitmodulesName (empty name or
// a ".." component), gitmodulesUrl (an option like "--upload-pack=...", a newline, a relative URL
// climbing out to a host, an http(s)/ftp(s) URL with no host or a newline in a part),
// gitmodulesPath (a path that is an option), gitmodulesUpdate ("!command"). A syntax error stops
// the parse where git's config parser stops (git only reports that as info); entries before it
// are checked.
Status CheckGitmodules(std::string_view content);

// The blob of a .gitattributes: gitattributesLarge (over 100 MiB), gitattributesLineLength (a
// line of 2048 bytes or more).
Status CheckGitattributes(std::string_view content);

}  // namespace mhub::server::fsck
