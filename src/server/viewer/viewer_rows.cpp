#include "server/viewer/viewer_rows.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "mhub/base/json.h"
#include "mhub/datasets/value.h"

namespace mhub::server::viewer {

namespace {

// Appends the JSON of row `i` of `a` exactly as Value::ToJson spells it (value.h), without building
// a Value for the common flat types: this is most of what a /rows request costs.
void AppendCell(const datasets::Array& a, int64_t i, std::string& out) {
  using datasets::TypeId;
  if (a.IsNull(i)) {
    out += "null";
    return;
  }
  char buf[32];
  switch (a.type->id) {
    case TypeId::kBool:
      out += a.Value<uint8_t>(i) ? "true" : "false";
      return;
    case TypeId::kInt8:
      out += std::to_string(a.Value<int8_t>(i));
      return;
    case TypeId::kInt16:
      out += std::to_string(a.Value<int16_t>(i));
      return;
    case TypeId::kInt32:
      out += std::to_string(a.Value<int32_t>(i));
      return;
    case TypeId::kInt64: {
      auto r = std::to_chars(buf, buf + sizeof buf, a.Value<int64_t>(i));
      out.append(buf, r.ptr);
      return;
    }
    case TypeId::kFloat64: {
      const double d = a.Value<double>(i);
      if (std::isfinite(d)) {
        out += datasets::FormatDouble(d);
        return;
      }
      break;
    }
    case TypeId::kString: {
      const std::string_view v = a.Bytes(i);
      // Printable ASCII without quote or backslash is its own JSON; anything else takes the
      // general escaper.
      bool plain = true;
      for (unsigned char c : v) {
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
          plain = false;
          break;
        }
      }
      if (plain) {
        out += '"';
        out += v;
        out += '"';
        return;
      }
      break;
    }
    default:
      break;
  }
  out += datasets::GetValue(a, i).ToJson();
}

std::string RowItem(int64_t row_idx, const datasets::Table& t, int64_t i, const std::vector<std::string>& names) {
  std::string out;
  out.reserve(64 + 32 * t.columns.size());
  out += "{\"row_idx\":";
  out += std::to_string(row_idx);
  out += ",\"row\":{";
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (c) out += ',';
    out += names[c];
    out += ':';
    AppendCell(*t.columns[c], i, out);
  }
  out += "},\"truncated_cells\":[]}";
  return out;
}

std::vector<std::string> ColumnNames(const datasets::Schema& schema) {
  std::vector<std::string> names;
  for (const auto& f : schema.fields) names.push_back(DumpJson(Json(f.name)));
  return names;
}

// One /first-rows row with its cells kept apart, so they can be truncated one by one.
struct CellRow {
  int64_t row_idx = 0;
  std::vector<std::string> cells;  // JSON of each column's value
  std::vector<std::string> truncated;
};

std::string CellRowJson(const CellRow& r, const std::vector<std::string>& names) {
  std::string out = "{\"row_idx\":" + std::to_string(r.row_idx) + ",\"row\":{";
  for (size_t c = 0; c < r.cells.size(); ++c) {
    if (c) out += ",";
    out += names[c];
    out += ":";
    out += r.cells[c];
  }
  out += "},\"truncated_cells\":[";
  for (size_t i = 0; i < r.truncated.size(); ++i) {
    if (i) out += ",";
    out += DumpJson(Json(r.truncated[i]));
  }
  out += "]}";
  return out;
}

}  // namespace

std::string TruncateUtf8(const std::string& json, size_t max_bytes) {
  if (json.size() <= max_bytes) return json;
  size_t i = max_bytes;
  while (i > 0 && (static_cast<unsigned char>(json[i]) & 0xC0) == 0x80) --i;
  return json.substr(0, i);
}

Result<std::vector<std::string>> RowItems(SplitCache& cache, const SplitView& view, int64_t begin, int64_t end) {
  std::vector<int64_t> first;
  MHUB_ASSIGN_OR_RETURN(auto tables, cache.Rows(view, begin, end, &first));
  std::vector<std::string> out;
  const std::vector<std::string> names = ColumnNames(view.schema);
  for (size_t k = 0; k < tables.size(); ++k) {
    const datasets::Table& t = *tables[k];
    const int64_t lo = std::max(begin, first[k]), hi = std::min(end, first[k] + t.num_rows);
    for (int64_t r = lo; r < hi; ++r) out.push_back(RowItem(r, t, r - first[k], names));
  }
  return out;
}

Result<std::vector<std::string>> RowItemsAt(SplitCache& cache, const SplitView& view,
                                            const std::vector<int64_t>& rows) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (int64_t r : rows) {
    MHUB_ASSIGN_OR_RETURN(std::vector<std::string> one, RowItems(cache, view, r, r + 1));
    if (one.size() == 1) out.push_back(std::move(one[0]));
  }
  return out;
}

Result<std::string> FirstRowsBody(SplitCache& cache, const SplitView& view, const std::string& dataset) {
  // The answer only depends on the conversion, which never changes: computed once per view.
  const std::string body_key = dataset + "\n" + view.key;
  if (auto hit = cache.Body(body_key)) return *hit;
  const std::string head = "{\"dataset\":" + DumpJson(Json(dataset)) + ",\"config\":" + DumpJson(Json(view.config)) +
                           ",\"split\":" + DumpJson(Json(view.split)) + ",\"features\":" + view.features_json +
                           ",\"rows\":[";
  const size_t surrounding = head.size() + std::string("],\"truncated\":false}").size();
  if (surrounding > kFirstRowsMaxBytes) {
    return Status::ResourceExhausted("The size of the content of the first rows (" + std::to_string(surrounding) +
                                     " B) exceeds the maximum supported size (" + std::to_string(kFirstRowsMaxBytes) +
                                     " B) even after truncation. Please report the issue.");
  }
  const int64_t budget = static_cast<int64_t>(kFirstRowsMaxBytes - surrounding);
  const std::vector<std::string> names = ColumnNames(view.schema);

  std::vector<int64_t> first;
  MHUB_ASSIGN_OR_RETURN(auto tables, cache.Rows(view, 0, kFirstRowsMaxNumber, &first));
  std::vector<CellRow> rows;
  for (size_t k = 0; k < tables.size(); ++k) {
    const datasets::Table& t = *tables[k];
    for (int64_t r = 0; r < t.num_rows && first[k] + r < kFirstRowsMaxNumber; ++r) {
      CellRow row;
      row.row_idx = first[k] + r;
      for (const auto& column : t.columns) {
        row.cells.emplace_back();
        AppendCell(*column, r, row.cells.back());
      }
      rows.push_back(std::move(row));
    }
  }

  // 1. The first rows up to the minimum number, whatever their size.
  std::vector<std::string> items;
  int64_t rows_bytes = 2;  // the brackets
  const size_t min_rows = std::min(rows.size(), static_cast<size_t>(kFirstRowsMinNumber));
  for (size_t i = 0; i < min_rows; ++i) {
    items.push_back(CellRowJson(rows[i], names));
    rows_bytes += static_cast<int64_t>(items.back().size()) + 1;
  }
  if (rows_bytes >= budget) {
    // 2. Too big already: truncate the cells of those rows, last row first, until under the budget.
    rows_bytes = 2 + static_cast<int64_t>(items.size()) - 1;
    for (const auto& item : items) rows_bytes += static_cast<int64_t>(item.size());
    for (size_t i = items.size(); i-- > 0;) {
      if (rows_bytes < budget) break;
      CellRow& row = rows[i];
      for (size_t c = 0; c < row.cells.size(); ++c) {
        if (c < view.keep_untruncated.size() && view.keep_untruncated[c]) continue;
        if (row.cells[c].size() <= kFirstRowsMinCellBytes) continue;
        row.cells[c] = DumpJson(Json(TruncateUtf8(row.cells[c], kFirstRowsMinCellBytes)));
        row.truncated.push_back(view.schema.fields[c].name);
      }
      const int64_t before = static_cast<int64_t>(items[i].size());
      items[i] = CellRowJson(row, names);
      rows_bytes += static_cast<int64_t>(items[i].size()) - before;
    }
  } else {
    // 3. Room left: the next rows while they fit.
    for (size_t i = min_rows; i < rows.size(); ++i) {
      std::string item = CellRowJson(rows[i], names);
      rows_bytes += static_cast<int64_t>(item.size()) + 1;
      if (rows_bytes >= budget) break;
      items.push_back(std::move(item));
    }
  }
  const bool truncated = view.num_rows > kFirstRowsMaxNumber || items.size() < rows.size();
  std::string body = head;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) body += ",";
    body += items[i];
  }
  body += std::string("],\"truncated\":") + (truncated ? "true" : "false") + "}";
  cache.PutBody(body_key, body);
  return body;
}

}  // namespace mhub::server::viewer
