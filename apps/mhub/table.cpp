#include "table.h"

#include <algorithm>
#include <cstdio>

namespace mhub::cli {

namespace {

// Display width: UTF-8 code points (continuation bytes do not count).
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string Scaled(double value, const char* const* units, double base) {
  int u = 0;
  while (value >= base && units[u + 1] != nullptr) {
    value /= base;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof(buf), "%.0f%s", value, units[0]);
  else
    std::snprintf(buf, sizeof(buf), value < 10 ? "%.1f%s" : "%.0f%s", value, units[u]);
  return buf;
}

}  // namespace

Table::Table(std::vector<std::string> header) {
  for (auto& h : header) {
    bool right = !h.empty() && h[0] == '>';
    right_.push_back(right);
    header_.push_back(right ? h.substr(1) : h);
  }
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(header_.size());
  for (size_t c = 0; c < header_.size(); ++c) {
    widths[c] = Width(header_[c]);
    for (const auto& r : rows_) widths[c] = std::max(widths[c], Width(r[c]));
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      std::string pad(widths[c] - Width(row[c]), ' ');
      if (c > 0) line += "  ";
      line += right_[c] ? pad + row[c] : row[c] + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  print_row(header_);
  for (const auto& r : rows_) print_row(r);
}

std::string HumanSize(uint64_t bytes) {
  static const char* const kUnits[] = {"", "K", "M", "G", "T", "P", nullptr};
  return Scaled(static_cast<double>(bytes), kUnits, 1024.0);
}

std::string HumanCount(int64_t n) {
  static const char* const kUnits[] = {"", "k", "M", "B", nullptr};
  if (n < 0) return "-" + HumanCount(-n);
  return Scaled(static_cast<double>(n), kUnits, 1000.0);
}

std::string ShortDate(const std::string& iso) {
  if (iso.size() < 16 || iso[10] != 'T') return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

}  // namespace mhub::cli
