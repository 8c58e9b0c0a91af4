// `mhub datasets rows PATH_OR_REPO [--config C] [--split S] [--offset N] [--length N]`: one JSON
// object per row (a stable contract, ../shared/DESIGN.md), streamed: nothing but the split's files
// is fetched, no column files are written. `mhub datasets head` shows the first rows as a table.
#include <iostream>

#include "cmd_datasets_common.h"
#include "mhub/datasets/value.h"
#include "table.h"

namespace mhub::cli::datasets_cmd {
namespace {

struct RowsOptions {
  std::string path;
  mhub::datasets::LoadOptions load;
  int64_t offset = 0;
  int64_t length = -1;
  bool json = false;
};

// Calls fn(table, row) for rows [offset, offset + length) of the split.
int ForRows(const RowsOptions& o, const std::function<void(const mhub::datasets::Table&, int64_t)>& fn) {
  if (o.offset < 0) return print_error("--offset must be >= 0");
  auto stream = mhub::datasets::OpenSplit(o.path, o.load);
  if (!stream.ok()) return print_error(stream.status());
  int64_t skip = o.offset;
  int64_t left = o.length < 0 ? INT64_MAX : o.length;
  while (left > 0) {
    auto batch = stream->reader->Next();
    if (!batch.ok()) return print_error(batch.status());
    if (!*batch) break;
    const auto& t = **batch;
    int64_t begin = std::min(skip, t.num_rows);
    skip -= begin;
    for (int64_t i = begin; i < t.num_rows && left > 0; ++i, --left) fn(t, i);
  }
  return 0;
}

std::string Cell(const std::string& json) {
  // Strings without their quotes; every cell on one line and at most 40 characters wide.
  std::string s = json.size() >= 2 && json.front() == '"' ? json.substr(1, json.size() - 2) : json;
  for (char& c : s)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  size_t chars = 0, cut = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++chars > 40) {
      cut = i;
      break;
    }
  }
  return cut < s.size() ? s.substr(0, cut) + "…" : s;
}

}  // namespace

Subcommand SetupRows(CLI::App* parent) {
  auto o = std::make_shared<RowsOptions>();
  auto* sub = parent->add_subcommand("rows", "Print rows as JSON lines (one object per row)");
  sub->add_option("path", o->path, "a data file, a folder, or a hub dataset repo id")->required();
  AddLoadOptions(sub, o->load);
  sub->add_option("--offset", o->offset, "rows to skip")->default_val(0);
  sub->add_option("--length", o->length, "rows to print (default: all)");
  return {sub, [o]() -> int {
            return ForRows(*o, [](const mhub::datasets::Table& t, int64_t i) {
              std::cout << mhub::datasets::RowToJson(t, i) << "\n";
            });
          }};
}

Subcommand SetupHead(CLI::App* parent) {
  auto o = std::make_shared<RowsOptions>();
  auto* sub = parent->add_subcommand("head", "Show the first rows of a split as a table");
  sub->add_option("path", o->path, "a data file, a folder, or a hub dataset repo id")->required();
  AddLoadOptions(sub, o->load);
  sub->add_option("-n,--rows", o->length, "number of rows")->default_val(10);
  sub->add_flag("--json", o->json, "print JSON lines, as `mhub datasets rows`");
  return {sub, [o]() -> int {
            if (o->length < 0) return print_error("-n must be >= 0");
            if (o->json)
              return ForRows(*o, [](const mhub::datasets::Table& t, int64_t i) {
                std::cout << mhub::datasets::RowToJson(t, i) << "\n";
              });
            std::unique_ptr<mhub::cli::Table> table;
            int rc = ForRows(*o, [&](const mhub::datasets::Table& t, int64_t i) {
              if (!table) {
                std::vector<std::string> header;
                for (const auto& f : t.schema.fields) header.push_back(f.name);
                table = std::make_unique<mhub::cli::Table>(header);
              }
              std::vector<std::string> cells;
              for (const auto& col : t.columns) cells.push_back(Cell(mhub::datasets::GetValue(*col, i).ToJson()));
              table->AddRow(std::move(cells));
            });
            if (rc != 0) return rc;
            if (table) table->Print(std::cout);
            return 0;
          }};
}

}  // namespace mhub::cli::datasets_cmd
