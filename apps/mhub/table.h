// Aligned text tables for the human output of ls -l, cache ls and search (programs read --json).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace mhub::cli {

class Table {
 public:
  // Column names; a name starting with '>' is right-aligned (numbers, sizes) and printed without it.
  explicit Table(std::vector<std::string> header);
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Columns separated by two spaces, padded to the widest cell (UTF-8 aware), no trailing spaces.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// 1536 -> "1.5K", 12_000_000 -> "11.4M" (1024 based, as `ls -lh` and `hf cache ls` print).
std::string HumanSize(uint64_t bytes);
// 1234567 -> "1.2M", 999 -> "999" (counts: downloads, likes).
std::string HumanCount(int64_t n);
// "2026-12-07T09:45:39.000Z" -> "2026-12-07 09:45" ("" stays "").
std::string ShortDate(const std::string& iso);

}  // namespace mhub::cli
