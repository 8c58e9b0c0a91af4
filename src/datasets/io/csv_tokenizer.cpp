#include "datasets/io/csv_tokenizer.h"

namespace mhub::datasets::io {

Result<bool> CsvTokenizer::Next(std::vector<std::string_view>* fields) {
  fields->clear();
  const size_t n = text_.size();
  const char* text = text_.data();
  // Skip blank lines (skip_blank_lines=True).
  while (pos_ < n && (text[pos_] == '\n' || text[pos_] == '\r')) {
    if (text[pos_] == '\r' && pos_ + 1 < n && text[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  if (pos_ >= n) return false;
  record_line_ = line_;
  scratch_.clear();
  ranges_.clear();
  auto field_end = [&](size_t from) {
    while (from < n && text[from] != delimiter_ && text[from] != '\n' && text[from] != '\r') ++from;
    return from;
  };
  for (;;) {
    // One field starts at pos_.
    if (pos_ < n && text[pos_] == '"') {
      // Quoted: unescaped into scratch_; text after the closing quote is kept (as pandas does).
      size_t begin = scratch_.size();
      ++pos_;
      bool closed = false;
      while (pos_ < n) {
        size_t stop = text_.find_first_of("\"\n", pos_);
        if (stop == std::string_view::npos) stop = n;
        scratch_.append(text + pos_, stop - pos_);
        pos_ = stop;
        if (pos_ >= n) break;
        if (text[pos_] == '\n') {
          scratch_.push_back('\n');
          ++line_;
          ++pos_;
        } else if (pos_ + 1 < n && text[pos_ + 1] == '"') {
          scratch_.push_back('"');
          pos_ += 2;
        } else {
          ++pos_;
          closed = true;
          break;
        }
      }
      if (!closed)
        return Status::InvalidArgument("line " + std::to_string(record_line_) + ": unterminated quoted field");
      size_t stop = field_end(pos_);
      scratch_.append(text + pos_, stop - pos_);
      pos_ = stop;
      ranges_.push_back({true, begin, scratch_.size()});
    } else {
      // Unquoted: a view of the text (no copy).
      size_t stop = field_end(pos_);
      ranges_.push_back({false, pos_, stop});
      pos_ = stop;
    }
    if (pos_ < n && text[pos_] == delimiter_) {
      ++pos_;
      continue;
    }
    if (pos_ < n) {  // "\n", "\r" or "\r\n" ends the record
      if (text[pos_] == '\r' && pos_ + 1 < n && text[pos_ + 1] == '\n') ++pos_;
      ++pos_;
      ++line_;
    }
    break;
  }
  for (const auto& r : ranges_)
    fields->emplace_back(r.in_scratch ? scratch_.data() + r.begin : text + r.begin, r.end - r.begin);
  return true;
}

}  // namespace mhub::datasets::io
