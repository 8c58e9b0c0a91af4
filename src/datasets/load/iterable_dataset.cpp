// IterableDataset (include/mhub/datasets/iterable_dataset.h): a chain of lazy steps over a reader
// that is opened again for every iteration.
#include "mhub/datasets/iterable_dataset.h"

#include <algorithm>
#include <optional>

namespace mhub::datasets {

struct IterableDataset::Step {
  enum class Kind : uint8_t { kTake, kSkip, kFilter, kMap };
  Kind kind = Kind::kTake;
  int64_t n = 0;
  std::function<bool(const Table&, int64_t)> keep;
  std::function<Result<Table>(const Table&)> map;
};

namespace {

Table SliceTable(const Table& t, int64_t begin, int64_t end) {
  Table out;
  out.schema = t.schema;
  begin = std::clamp<int64_t>(begin, 0, t.num_rows);
  end = std::clamp<int64_t>(end, begin, t.num_rows);
  out.num_rows = end - begin;
  if (begin == 0 && end == t.num_rows) {
    out.columns = t.columns;
    return out;
  }
  for (const ArrayPtr& c : t.columns) out.columns.push_back(SliceArray(*c, begin, end));
  return out;
}

// Applies the steps to the source's batches, then cuts them to at most batch_rows rows.
class StepReader : public TableReader {
 public:
  StepReader(std::unique_ptr<TableReader> source, std::vector<std::shared_ptr<const IterableDataset::Step>> steps,
             int64_t batch_rows)
      : source_(std::move(source)), steps_(std::move(steps)), batch_rows_(std::max<int64_t>(batch_rows, 1)) {
    counts_.assign(steps_.size(), 0);
    schema_ = source_->schema();
  }
  const Schema& schema() const override { return schema_; }

  Result<std::optional<Table>> Next() override {
    while (true) {
      if (pending_ && pos_ < pending_->num_rows) {
        const int64_t end = std::min(pending_->num_rows, pos_ + batch_rows_);
        Table out = SliceTable(*pending_, pos_, end);
        pos_ = end;
        return std::optional<Table>(std::move(out));
      }
      pending_.reset();
      pos_ = 0;
      if (done_) return std::optional<Table>();
      MHUB_ASSIGN_OR_RETURN(std::optional<Table> batch, source_->Next());
      if (!batch) return std::optional<Table>();
      MHUB_ASSIGN_OR_RETURN(std::optional<Table> stepped, Apply(std::move(*batch)));
      if (stepped && stepped->num_rows > 0) {
        if (schema_.fields.empty() || first_) schema_ = stepped->schema;
        first_ = false;
        pending_ = std::move(stepped);
      }
    }
  }

 private:
  // The batch after every step; nullopt when a step dropped all of it.
  Result<std::optional<Table>> Apply(Table t) {
    for (size_t k = 0; k < steps_.size(); ++k) {
      const IterableDataset::Step& s = *steps_[k];
      int64_t& seen = counts_[k];  // rows that reached this step so far
      switch (s.kind) {
        case IterableDataset::Step::Kind::kTake: {
          const int64_t left = std::max<int64_t>(s.n - seen, 0);
          seen += t.num_rows;
          if (left < t.num_rows) t = SliceTable(t, 0, left);
          // Nothing after the first n rows can pass: stop reading the source there (when this is
          // the first step that bounds it, every later batch is dropped anyway).
          if (left <= t.num_rows && k == 0) done_ = true;
          break;
        }
        case IterableDataset::Step::Kind::kSkip: {
          const int64_t drop = std::clamp<int64_t>(s.n - seen, 0, t.num_rows);
          seen += t.num_rows;
          if (drop > 0) t = SliceTable(t, drop, t.num_rows);
          break;
        }
        case IterableDataset::Step::Kind::kFilter: {
          std::vector<int64_t> rows;
          for (int64_t i = 0; i < t.num_rows; ++i) {
            if (s.keep(t, i)) rows.push_back(i);
          }
          seen += t.num_rows;
          if (static_cast<int64_t>(rows.size()) != t.num_rows) {
            Table f;
            f.schema = t.schema;
            f.num_rows = static_cast<int64_t>(rows.size());
            for (const ArrayPtr& c : t.columns) f.columns.push_back(TakeArray(*c, rows));
            t = std::move(f);
          }
          break;
        }
        case IterableDataset::Step::Kind::kMap: {
          seen += t.num_rows;
          MHUB_ASSIGN_OR_RETURN(t, s.map(t));
          break;
        }
      }
      if (t.num_rows == 0) return std::optional<Table>();
    }
    return std::optional<Table>(std::move(t));
  }

  std::unique_ptr<TableReader> source_;
  std::vector<std::shared_ptr<const IterableDataset::Step>> steps_;
  std::vector<int64_t> counts_;
  int64_t batch_rows_;
  Schema schema_;
  bool first_ = true;
  bool done_ = false;
  std::optional<Table> pending_;
  int64_t pos_ = 0;
};

}  // namespace

IterableDataset::IterableDataset(std::string split, Opener opener)
    : split_(std::move(split)), opener_(std::move(opener)) {}

Result<std::unique_ptr<TableReader>> IterableDataset::Iter(int64_t batch_rows) const {
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<TableReader> source, opener_());
  return std::unique_ptr<TableReader>(std::make_unique<StepReader>(std::move(source), steps_, batch_rows));
}

Status IterableDataset::ForEachRow(const std::function<Status(const Value& row)>& fn) const {
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<TableReader> reader, Iter());
  while (true) {
    MHUB_ASSIGN_OR_RETURN(std::optional<Table> batch, reader->Next());
    if (!batch) return Status::OK();
    for (int64_t i = 0; i < batch->num_rows; ++i) MHUB_RETURN_IF_ERROR(fn(GetRow(*batch, i)));
  }
}

IterableDataset IterableDataset::Take(int64_t n) const {
  IterableDataset out = *this;
  auto s = std::make_shared<Step>();
  s->kind = Step::Kind::kTake;
  s->n = std::max<int64_t>(n, 0);
  out.steps_.push_back(std::move(s));
  return out;
}

IterableDataset IterableDataset::Skip(int64_t n) const {
  IterableDataset out = *this;
  auto s = std::make_shared<Step>();
  s->kind = Step::Kind::kSkip;
  s->n = std::max<int64_t>(n, 0);
  out.steps_.push_back(std::move(s));
  return out;
}

IterableDataset IterableDataset::Filter(std::function<bool(const Table&, int64_t)> keep) const {
  IterableDataset out = *this;
  auto s = std::make_shared<Step>();
  s->kind = Step::Kind::kFilter;
  s->keep = std::move(keep);
  out.steps_.push_back(std::move(s));
  return out;
}

IterableDataset IterableDataset::Map(std::function<Result<Table>(const Table&)> fn) const {
  IterableDataset out = *this;
  auto s = std::make_shared<Step>();
  s->kind = Step::Kind::kMap;
  s->map = std::move(fn);
  out.steps_.push_back(std::move(s));
  return out;
}

const IterableDataset* IterableDatasetDict::Find(const std::string& split) const {
  for (const auto& [name, ds] : splits) {
    if (name == split) return &ds;
  }
  return nullptr;
}

Result<IterableDatasetDict> LoadIterableDataset(const std::string& path_or_repo, const LoadOptions& options) {
  // Resolve once (unknown configs/splits fail here, not at the first iteration).
  MHUB_ASSIGN_OR_RETURN(std::vector<DatasetConfig> configs, GetDatasetConfigs(path_or_repo, options));
  MHUB_ASSIGN_OR_RETURN(DatasetConfig config, PickConfig(configs, options.config));
  IterableDatasetDict out;
  bool found = options.split.empty();
  for (const SplitFiles& s : config.splits) {
    if (!options.split.empty() && s.split != options.split) continue;
    found = true;
    LoadOptions o = options;
    o.config = config.name;
    o.split = s.split;
    o.streaming = true;
    IterableDataset::Opener open = [path_or_repo, o]() -> Result<std::unique_ptr<TableReader>> {
      MHUB_ASSIGN_OR_RETURN(SplitStream stream, OpenSplit(path_or_repo, o));
      return std::move(stream.reader);
    };
    out.splits.emplace_back(s.split, IterableDataset(s.split, std::move(open)));
  }
  if (!found) return Status::NotFound("unknown split '" + options.split + "' in config '" + config.name + "'");
  return out;
}

}  // namespace mhub::datasets
