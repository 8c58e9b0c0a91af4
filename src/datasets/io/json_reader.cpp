// JSON Lines, a JSON array of objects, an object of columns, or {"<field>": [...]} with `field`, as
// `datasets`' json builder reads them (packaged_modules/json/json.py): JSON Lines first; a document
// that is one JSON value is read whole. Types are unified over every row first (json_infer.h), then
// rows are built batch by batch.
#include <algorithm>

#include "datasets/io/json_infer.h"
#include "datasets/io/readers.h"

namespace mhub::datasets::io {
namespace {

// Builds batches from a sequence of row objects, given the unified struct type of a row.
class RowBatcher {
 public:
  explicit RowBatcher(const JsonType& row_type) {
    for (const auto& [name, t] : row_type.children) schema_.fields.push_back({name, t.ToDataType(), true});
  }
  const Schema& schema() const { return schema_; }
  void Start() {
    builders_.clear();
    for (const auto& f : schema_.fields) builders_.emplace_back(f.type);
    rows_ = 0;
  }
  Status Add(const OrderedJson& row) {
    for (size_t c = 0; c < builders_.size(); ++c) {
      auto it = row.find(schema_.fields[c].name);
      auto st = AppendJson(builders_[c], it == row.end() ? nullptr : &*it);
      if (!st.ok()) return st.WithContext("column '" + schema_.fields[c].name + "'");
    }
    ++rows_;
    return Status::OK();
  }
  int64_t rows() const { return rows_; }
  std::optional<Table> Finish() {
    if (rows_ == 0) return std::nullopt;
    Table t;
    t.schema = schema_;
    t.num_rows = rows_;
    for (auto& b : builders_) t.columns.push_back(b.Finish());
    return t;
  }

 private:
  Schema schema_;
  std::vector<ArrayBuilder> builders_;
  int64_t rows_ = 0;
};

// Yields the lines of the text with their 1-based numbers; blank lines are skipped.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  bool Next(std::string_view* line, int64_t* number) {
    while (pos_ < text_.size()) {
      size_t nl = text_.find('\n', pos_);
      if (nl == std::string_view::npos) nl = text_.size();
      std::string_view l = text_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
      ++line_;
      if (l.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      *line = l;
      *number = line_;
      return true;
    }
    return false;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_ = 0;
};

class JsonLinesReader : public TableReader {
 public:
  JsonLinesReader(TextSource source, int64_t batch_rows, JsonType row_type)
      : source_(std::move(source)), batch_rows_(batch_rows), batcher_(row_type), cursor_(source_.text) {}
  const Schema& schema() const override { return batcher_.schema(); }
  Result<std::optional<Table>> Next() override {
    batcher_.Start();
    std::string_view line;
    int64_t number = 0;
    while (batcher_.rows() < batch_rows_ && cursor_.Next(&line, &number)) {
      auto row = ParseOrderedJson(line, "JSON line");
      if (!row.ok()) return row.status().WithContext(source_.name + ": line " + std::to_string(number));
      auto st = batcher_.Add(*row);
      if (!st.ok()) return st.WithContext(source_.name + ": line " + std::to_string(number));
    }
    return batcher_.Finish();
  }

 private:
  TextSource source_;
  int64_t batch_rows_;
  RowBatcher batcher_;
  LineCursor cursor_;
};

// Rows held in memory (a whole-document JSON file).
class JsonRowsReader : public TableReader {
 public:
  JsonRowsReader(std::string name, std::vector<OrderedJson> rows, int64_t batch_rows, const JsonType& row_type)
      : name_(std::move(name)), rows_(std::move(rows)), batch_rows_(batch_rows), batcher_(row_type) {}
  const Schema& schema() const override { return batcher_.schema(); }
  Result<std::optional<Table>> Next() override {
    batcher_.Start();
    while (batcher_.rows() < batch_rows_ && next_ < rows_.size()) {
      auto st = batcher_.Add(rows_[next_]);
      if (!st.ok()) return st.WithContext(name_ + ": row " + std::to_string(next_));
      ++next_;
    }
    return batcher_.Finish();
  }

 private:
  std::string name_;
  std::vector<OrderedJson> rows_;
  size_t next_ = 0;
  int64_t batch_rows_;
  RowBatcher batcher_;
};

// JSON Lines when the first non-blank line is a whole JSON object on its own: datasets reads with
// pyarrow's JSON Lines reader first ({"a": [1, 2]} on one line is one row), and only a document it
// cannot read that way (a top-level array, a pretty-printed object) is loaded whole.
bool LooksLikeJsonLines(std::string_view text) {
  LineCursor c(text);
  std::string_view line;
  int64_t n = 0;
  if (!c.Next(&line, &n)) return true;  // empty: no rows either way
  auto first = ParseOrderedJson(line, "JSON line");
  return first.ok() && first->is_object();
}

Result<std::vector<OrderedJson>> RowsOfDocument(OrderedJson doc, const std::string& name, const std::string& field) {
  if (!field.empty()) {
    if (!doc.is_object() || !doc.contains(field))
      return Status::InvalidArgument(name + ": no field '" + field + "' at the top level of the JSON document");
    OrderedJson inner = std::move(doc[field]);
    doc = std::move(inner);
  }
  std::vector<OrderedJson> rows;
  if (doc.is_array()) {
    // A list of strings is a "text" column (datasets' json builder does the same).
    bool strings = !doc.empty() && std::all_of(doc.begin(), doc.end(), [](const auto& v) { return v.is_string(); });
    for (size_t i = 0; i < doc.size(); ++i) {
      if (strings) {
        rows.push_back(OrderedJson{{"text", std::move(doc[i])}});
        continue;
      }
      if (!doc[i].is_object())
        return Status::InvalidArgument(name + ": row " + std::to_string(i) + ": expected a JSON object, got " +
                                       doc[i].type_name());
      rows.push_back(std::move(doc[i]));
    }
    return rows;
  }
  if (doc.is_object()) {
    // An object of columns ({"a": [1, 2], "b": ["x", "y"]}), as pa.Table.from_pydict reads it.
    size_t n = 0;
    bool first = true;
    for (const auto& [k, v] : doc.items()) {
      if (!v.is_array())
        return Status::InvalidArgument(name + ": the top-level object's value '" + k +
                                       "' is not a list (pass `field` to read a list of rows under one key)");
      if (!first && v.size() != n)
        return Status::InvalidArgument(name + ": column '" + k + "' has " + std::to_string(v.size()) +
                                       " values, the columns before it " + std::to_string(n));
      n = v.size();
      first = false;
    }
    rows.resize(n, OrderedJson::object());
    for (auto& [k, v] : doc.items())
      for (size_t i = 0; i < n; ++i) rows[i][k] = std::move(v[i]);
    return rows;
  }
  return Status::InvalidArgument(name + ": expected JSON Lines, a JSON array of objects or an object of columns");
}

}  // namespace

Result<std::unique_ptr<TableReader>> OpenJson(TextSource source, const TextReadOptions& options) {
  int64_t batch = std::max<int64_t>(1, options.batch_rows);
  if (options.field.empty() && LooksLikeJsonLines(source.text)) {
    JsonType row;
    row.kind = JsonType::Kind::kStruct;
    LineCursor cursor(source.text);
    std::string_view line;
    int64_t number = 0;
    while (cursor.Next(&line, &number)) {
      auto value = ParseOrderedJson(line, "JSON line");
      std::string where = source.name + ": line " + std::to_string(number);
      if (!value.ok()) return value.status().WithContext(where);
      if (!value->is_object())
        return Status::InvalidArgument(where + ": expected a JSON object per line, got " + value->type_name());
      auto st = UnifyJson(row, *value, "");
      if (!st.ok()) return st.WithContext(where);
    }
    return std::unique_ptr<TableReader>(std::make_unique<JsonLinesReader>(std::move(source), batch, row));
  }
  auto doc = ParseOrderedJson(source.text, source.name);
  if (!doc.ok()) return doc.status();
  MHUB_ASSIGN_OR_RETURN(auto rows, RowsOfDocument(std::move(*doc), source.name, options.field));
  JsonType row;
  row.kind = JsonType::Kind::kStruct;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto st = UnifyJson(row, rows[i], "");
    if (!st.ok()) return st.WithContext(source.name + ": row " + std::to_string(i));
  }
  return std::unique_ptr<TableReader>(std::make_unique<JsonRowsReader>(source.name, std::move(rows), batch, row));
}

}  // namespace mhub::datasets::io
