// Plain text, one example per line in a "text" column, as `datasets`' text builder reads it
// (sample_by="line", keep_linebreaks=False): "\n" or "\r\n" ends a line, blank lines are rows too, a
// final newline adds no row.
#include <algorithm>

#include "datasets/io/readers.h"

namespace mhub::datasets::io {
namespace {

class TextReader : public TableReader {
 public:
  TextReader(TextSource source, int64_t batch_rows) : source_(std::move(source)), batch_rows_(batch_rows) {
    schema_.fields.push_back({"text", String(), true});
  }
  const Schema& schema() const override { return schema_; }
  Result<std::optional<Table>> Next() override {
    std::string_view text = source_.text;
    ArrayBuilder b(String());
    int64_t rows = 0;
    while (rows < batch_rows_ && pos_ < text.size()) {
      size_t nl = text.find('\n', pos_);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view line = text.substr(pos_, nl - pos_);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      b.AppendBytes(line);
      pos_ = nl + 1;
      ++rows;
    }
    if (rows == 0) return std::optional<Table>();
    Table t;
    t.schema = schema_;
    t.num_rows = rows;
    t.columns.push_back(b.Finish());
    return std::optional<Table>(std::move(t));
  }

 private:
  TextSource source_;
  int64_t batch_rows_;
  Schema schema_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<TableReader>> OpenText(TextSource source, const TextReadOptions& options) {
  return std::unique_ptr<TableReader>(
      std::make_unique<TextReader>(std::move(source), std::max<int64_t>(1, options.batch_rows)));
}

}  // namespace mhub::datasets::io
