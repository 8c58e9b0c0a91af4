// Splits CSV text into records the way pandas' C parser does with datasets' defaults (quotechar '"',
// doublequote, QUOTE_MINIMAL, skip_blank_lines): a field that starts with '"' runs to the closing
// quote, may hold delimiters and newlines, and "" inside it is one '"'; text after the closing quote
// is kept; a '"' inside an unquoted field is literal; "\r\n", "\n" and "\r" end records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::datasets::io {

class CsvTokenizer {
 public:
  CsvTokenizer(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {}

  // The next non-blank record into `fields` (views valid until the next call). False at the end.
  // InvalidArgument for a quoted field still open at the end of the text ("line N: unterminated
  // quoted field").
  Result<bool> Next(std::vector<std::string_view>* fields);
  // 1-based line where the record returned last started.
  int64_t record_line() const { return record_line_; }
  // Bytes consumed so far (progress).
  size_t position() const { return pos_; }

 private:
  std::string_view text_;
  char delimiter_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
  // A field is a view of the text when it had no quotes, else a range of scratch_ (unescaped).
  struct FieldRange {
    bool in_scratch;
    size_t begin, end;
  };
  std::string scratch_;
  std::vector<FieldRange> ranges_;
};

}  // namespace mhub::datasets::io
