// SQuAD rows from a datasets::Dataset, and run_qa's compute_metrics for the Trainer.
#include "mhub/train/question_answering.h"

namespace mhub::train {

Result<std::vector<QaExample>> QaExamplesFromDataset(const datasets::Dataset& ds, const std::string& split,
                                                     const QaColumns& c, int64_t limit) {
  using Kind = datasets::Value::Kind;
  const auto names = ds.column_names();
  for (const std::string* col : {&c.id, &c.question, &c.context, &c.answers})
    if (std::find(names.begin(), names.end(), *col) == names.end()) {
      std::string have;
      for (const auto& n : names) have += (have.empty() ? "" : ", ") + n;
      return Status::InvalidArgument("split '" + split + "' has no column '" + *col + "' (columns: " + have + ")");
    }
  const int64_t n = limit > 0 ? std::min(limit, ds.num_rows()) : ds.num_rows();
  if (n == 0) return Status::InvalidArgument("split '" + split + "' is empty");
  std::vector<QaExample> out;
  for (int64_t i = 0; i < n; ++i) {
    MHUB_ASSIGN_OR_RETURN(datasets::Value row, ds.Row(i));
    const std::string where = "split '" + split + "' row " + std::to_string(i);
    QaExample ex;
    const datasets::Value* id = row.Get(c.id);
    ex.id = id->kind() == Kind::kString ? id->as_string() : id->ToJson();
    for (auto [col, dst] : {std::pair{&c.question, &ex.question}, std::pair{&c.context, &ex.context}}) {
      const datasets::Value* v = row.Get(*col);
      if (v == nullptr || v->kind() != Kind::kString)
        return Status::InvalidArgument(where + ": " + *col + " is not a string");
      *dst = v->as_string();
    }
    const datasets::Value* a = row.Get(c.answers);
    const datasets::Value* text = a && a->kind() == Kind::kStruct ? a->Get("text") : nullptr;
    const datasets::Value* start = a && a->kind() == Kind::kStruct ? a->Get("answer_start") : nullptr;
    if (text == nullptr || start == nullptr || text->kind() != Kind::kList || start->kind() != Kind::kList)
      return Status::InvalidArgument(where + ": " + c.answers +
                                     " must be {\"text\": [...], \"answer_start\": [...]} as in SQuAD");
    for (const auto& t : text->as_list()) {
      if (t.kind() != Kind::kString) return Status::InvalidArgument(where + ": answers.text holds a non-string");
      ex.answer_texts.push_back(t.as_string());
    }
    for (const auto& s : start->as_list()) {
      if (s.kind() != Kind::kInt && s.kind() != Kind::kUInt)
        return Status::InvalidArgument(where + ": answers.answer_start holds a non-integer");
      ex.answer_starts.push_back(s.as_int());
    }
    out.push_back(std::move(ex));
  }
  return out;
}

ComputeMetrics QaMetrics(std::vector<QaExample> examples, std::vector<QaFeature> features,
                         QaPostprocessOptions options) {
  return [examples = std::move(examples), features = std::move(features),
          options](const EvalPrediction& p) -> Result<std::map<std::string, double>> {
    auto s = p.predictions.find("start_logits"), e = p.predictions.find("end_logits");
    if (s == p.predictions.end() || e == p.predictions.end())
      return Status::InvalidArgument("question-answering metrics: the model kept no start/end logits");
    if (s->second.shape.size() != 2 || s->second.shape != e->second.shape)
      return Status::InvalidArgument("question-answering metrics: start/end logits are not (N, T)");
    MHUB_ASSIGN_OR_RETURN(auto preds, PostprocessQaPredictions(examples, features, s->second.values, e->second.values,
                                                               s->second.shape[1], options));
    std::map<std::string, std::vector<std::string>> refs;
    for (const auto& ex : examples) refs[ex.id] = ex.answer_texts;
    return SquadMetric(preds, refs, options.version_2_with_negative);
  };
}

}  // namespace mhub::train
