#include "server/viewer/viewer_search.h"

#include <algorithm>
#include <unordered_set>

namespace mhub::server::viewer {

namespace {

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::vector<std::string> SearchWords(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    if (IsWordByte(static_cast<unsigned char>(c))) {
      word.push_back(Lower(c));
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

std::vector<int64_t> SearchRows(const std::vector<datasets::ArrayPtr>& columns, int64_t num_rows,
                                std::string_view query) {
  std::vector<std::string> words = SearchWords(query);
  std::unordered_set<std::string> wanted(words.begin(), words.end());
  std::vector<int64_t> out;
  if (wanted.empty()) return out;
  std::string word;
  for (int64_t r = 0; r < num_rows; ++r) {
    bool hit = false;
    for (const auto& col : columns) {
      if (hit) break;
      if (r >= col->length || col->IsNull(r)) continue;
      std::string_view cell = col->Bytes(r);
      word.clear();
      for (size_t i = 0; i <= cell.size() && !hit; ++i) {
        if (i < cell.size() && IsWordByte(static_cast<unsigned char>(cell[i]))) {
          word.push_back(Lower(cell[i]));
        } else if (!word.empty()) {
          hit = wanted.count(word) != 0;
          word.clear();
        }
      }
    }
    if (hit) out.push_back(r);
  }
  return out;
}

}  // namespace mhub::server::viewer
