#include "datasets/io/csv_tokenizer.h"

namespace mhub::datasets::io {

Result<bool> CsvTokenizer::Next(std::vector<std::string_view>* fields) {
  fields->clear();
  const size_t n = text_.size();
  // Skip blank lines (skip_blank_lines=True).
  while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  if (pos_ >= n) return false;
  record_line_ = line_;
  scratch_.clear();
  ranges_.clear();
  size_t field_start = 0;
  bool at_field_start = true;
  bool in_quotes = false;
  while (pos_ < n) {
    char c = text_[pos_];
    if (in_quotes) {
      // Copy the run up to the next quote or newline at once.
      size_t stop = text_.find_first_of("\"\n", pos_);
      if (stop == std::string_view::npos) stop = n;
      scratch_.append(text_.data() + pos_, stop - pos_);
      pos_ = stop;
      if (pos_ >= n) break;
      if (text_[pos_] == '\n') {
        scratch_.push_back('\n');
        ++line_;
        ++pos_;
        continue;
      }
      // A quote: doubled means a literal quote, else the quoted part ends.
      if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
        scratch_.push_back('"');
        pos_ += 2;
      } else {
        in_quotes = false;
        ++pos_;
      }
      continue;
    }
    if (c == delimiter_) {
      ranges_.emplace_back(field_start, scratch_.size());
      field_start = scratch_.size();
      at_field_start = true;
      ++pos_;
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (c == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') ++pos_;
      ++pos_;
      ++line_;
      break;
    }
    if (c == '"' && at_field_start) {
      in_quotes = true;
      at_field_start = false;
      ++pos_;
      continue;
    }
    // An unquoted run: copy up to the next special byte.
    at_field_start = false;
    size_t stop = pos_ + 1;
    while (stop < n && text_[stop] != delimiter_ && text_[stop] != '\n' && text_[stop] != '\r') ++stop;
    scratch_.append(text_.data() + pos_, stop - pos_);
    pos_ = stop;
  }
  if (in_quotes) return Status::InvalidArgument("line " + std::to_string(record_line_) + ": unterminated quoted field");
  ranges_.emplace_back(field_start, scratch_.size());
  for (const auto& [b, e] : ranges_) fields->emplace_back(scratch_.data() + b, e - b);
  return true;
}

}  // namespace mhub::datasets::io
