// CSV/TSV as `datasets`' csv builder reads it (pandas.read_csv defaults; types in csv_infer.h). The
// file is scanned once to settle the column types over every row (so a late "x" in an int column
// makes it a string column, as pandas decides per file), then read again batch by batch.
#include <cmath>

#include "datasets/io/csv_infer.h"
#include "datasets/io/csv_tokenizer.h"
#include "datasets/io/readers.h"

namespace mhub::datasets::io {
namespace {

// pandas: duplicate names get ".1", ".2" (mangle_dupe_cols); empty ones "Unnamed: i".
std::vector<std::string> HeaderNames(const std::vector<std::string_view>& fields) {
  std::vector<std::string> names;
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string base = fields[i].empty() ? "Unnamed: " + std::to_string(i) : std::string(fields[i]);
    std::string name = base;
    for (int k = 1;; ++k) {
      bool taken = false;
      for (const auto& n : names) taken = taken || n == name;
      if (!taken) break;
      name = base + "." + std::to_string(k);
    }
    names.push_back(std::move(name));
  }
  return names;
}

class CsvReader : public TableReader {
 public:
  CsvReader(TextSource source, char delimiter, int64_t batch_rows)
      : source_(std::move(source)), delimiter_(delimiter), batch_rows_(batch_rows), tok_(source_.text, delimiter) {}

  Status Init(const TextReadOptions& options) {
    CsvTokenizer scan(source_.text, delimiter_);
    std::vector<std::string_view> fields;
    auto first = scan.Next(&fields);
    if (!first.ok()) return Err(first.status());
    std::vector<std::string> names;
    bool header = options.header && options.column_names.empty();
    if (!options.column_names.empty()) {
      names = options.column_names;
    } else if (*first && header) {
      names = HeaderNames(fields);
    } else if (*first) {
      for (size_t i = 0; i < fields.size(); ++i) names.push_back(std::to_string(i));
    } else {
      return Status::InvalidArgument(source_.name + ": no columns to parse from file (it is empty)");
    }
    skip_first_ = header && *first;
    std::vector<CsvColumnInference> infer(names.size());
    bool have = *first;
    bool is_header = skip_first_;
    while (have) {
      if (!is_header) {
        if (fields.size() > names.size()) return Ragged(scan.record_line(), names.size(), fields.size());
        for (size_t c = 0; c < fields.size(); ++c) infer[c].Add(fields[c]);
        // Short rows are padded with missing values, as pandas does.
        for (size_t c = fields.size(); c < names.size(); ++c) infer[c].Add("");
      }
      is_header = false;
      auto next = scan.Next(&fields);
      if (!next.ok()) return Err(next.status());
      have = *next;
    }
    for (size_t c = 0; c < names.size(); ++c) schema_.fields.push_back({names[c], infer[c].Type(), true});
    return Status::OK();
  }

  const Schema& schema() const override { return schema_; }

  Result<std::optional<Table>> Next() override {
    std::vector<ArrayBuilder> builders;
    for (const auto& f : schema_.fields) builders.emplace_back(f.type);
    std::vector<std::string_view> fields;
    int64_t rows = 0;
    while (rows < batch_rows_) {
      auto more = tok_.Next(&fields);
      if (!more.ok()) return Err(more.status());
      if (!*more) break;
      if (skip_first_) {
        skip_first_ = false;
        continue;
      }
      if (fields.size() > builders.size()) return Ragged(tok_.record_line(), builders.size(), fields.size());
      for (size_t c = 0; c < builders.size(); ++c) {
        std::string_view v = c < fields.size() ? fields[c] : std::string_view();
        MHUB_RETURN_IF_ERROR(Append(builders[c], v, c));
      }
      ++rows;
    }
    if (rows == 0) return std::optional<Table>();
    Table t;
    t.schema = schema_;
    t.num_rows = rows;
    for (auto& b : builders) t.columns.push_back(b.Finish());
    return std::optional<Table>(std::move(t));
  }

 private:
  Status Append(ArrayBuilder& b, std::string_view v, size_t column) {
    if (IsCsvNull(v)) {
      b.AppendNull();
      return Status::OK();
    }
    switch (b.type()->id) {
      case TypeId::kInt64: {
        int64_t i = 0;
        if (!ParseCsvInt(v, &i)) return Changed(column, v);
        b.AppendInt(i);
        break;
      }
      case TypeId::kFloat64: {
        double d = 0;
        if (!ParseCsvDouble(v, &d)) return Changed(column, v);
        b.AppendDouble(d);
        break;
      }
      case TypeId::kBool: {
        bool x = false;
        if (!ParseCsvBool(v, &x)) return Changed(column, v);
        b.AppendBool(x);
        break;
      }
      default:
        b.AppendBytes(v);
    }
    return Status::OK();
  }
  // The file changed between the two passes (it is mapped): say so rather than guess.
  Status Changed(size_t column, std::string_view v) {
    return Status::Corruption(source_.name + ": line " + std::to_string(tok_.record_line()) + ", column '" +
                              schema_.fields[column].name + "': value '" + std::string(v.substr(0, 40)) +
                              "' does not fit the column's type " + schema_.fields[column].type->ToString() +
                              " (was the file modified while being read?)");
  }
  Status Ragged(int64_t line, size_t expected, size_t saw) {
    return Status::InvalidArgument(source_.name + ": line " + std::to_string(line) + ": expected " +
                                   std::to_string(expected) + " fields, saw " + std::to_string(saw));
  }
  Status Err(const Status& s) { return s.WithContext(source_.name); }

  TextSource source_;
  char delimiter_;
  int64_t batch_rows_;
  CsvTokenizer tok_;
  Schema schema_;
  bool skip_first_ = false;
};

}  // namespace

Result<std::unique_ptr<TableReader>> OpenCsv(TextSource source, const TextReadOptions& options) {
  char delimiter = options.delimiter;
  if (delimiter == 0) {
    const std::string& n = source.name;
    delimiter = n.size() >= 4 && n.compare(n.size() - 4, 4, ".tsv") == 0 ? '\t' : ',';
  }
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r')
    return Status::InvalidArgument("csv: the delimiter cannot be a quote or a newline");
  auto reader = std::make_unique<CsvReader>(std::move(source), delimiter, std::max<int64_t>(1, options.batch_rows));
  MHUB_RETURN_IF_ERROR(reader->Init(options));
  return std::unique_ptr<TableReader>(std::move(reader));
}

}  // namespace mhub::datasets::io
