// Helpers shared by the tests of every library.
#pragma once

#include <string>
#include <vector>

namespace mhub::testing {

// A fresh directory under $TMPDIR, removed with its contents when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;  // the process's exit status, or 128+signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs `command` through /bin/sh with `input` on stdin; captures stdout and stderr.
CommandResult RunCommand(const std::string& command, const std::string& input = "");

// Quotes for /bin/sh.
std::string ShellQuote(const std::string& s);

std::string SourceDir();       // $MHUB_SOURCE_DIR (the repo root)
std::string BinaryDir();       // $MHUB_BINARY_DIR (the build dir)
std::string MhubBin();         // $MHUB_BIN (the mhub executable)
std::string NodeModulesDir();  // <repo>/node_modules
std::string Python();          // /usr/bin/python3 (Debian's, with python3-torch)

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& data);

// The non-empty '\n'-separated lines of `text` (e.g. the JSON lines a CLI printed).
std::vector<std::string> NonEmptyLines(const std::string& text);

// A BERT-uncased style WordPiece tokenizer.json (BertNormalizer lowercasing, BertPreTokenizer,
// "[CLS] A [SEP]" / "[CLS] A [SEP] B [SEP]" templates, WordPiece decoder) over `vocab` in id order;
// its first `specials` entries are special added tokens, and it holds "[CLS]", "[SEP]", "[UNK]".
std::string WordPieceTokenizerJson(const std::vector<std::string>& vocab, int specials);

}  // namespace mhub::testing
