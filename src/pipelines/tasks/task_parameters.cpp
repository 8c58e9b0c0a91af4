// The parameters each task takes and their valid values, checked before any work: a misspelt or
// foreign name (`-p max_new_tokns=3`, `top_k` for feature-extraction) and an out-of-range value
// (negative top_k) are InvalidArgument, as transformers raises them (generate()'s "model_kwargs
// are not used", the pipelines' "top_k parameter should be >= 1"), instead of a silent default.
// Accepted names: the HF Inference API's for the task, limited to those mhub implements.
#include <string>
#include <vector>

#include "mhub/pipelines/classification.h"
#include "mhub/pipelines/embeddings.h"
#include "mhub/pipelines/pipeline.h"
#include "mhub/pipelines/token_classification.h"
#include "pipelines/tasks/pipeline_context.h"
#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {
namespace {

enum class Kind { kInt, kNumber, kBool, kString, kStrings, kStringOrStrings, kAny };

// One parameter: its type and, for numbers, the smallest (and largest) value allowed.
struct Param {
  const char* name;
  Kind kind;
  double min = -1e300;
  double max = 1e300;
  bool min_exclusive = false;
};

struct TaskParams {
  std::vector<const char*> tasks;
  std::vector<Param> params;
};

const std::vector<TaskParams>& Table() {
  static const std::vector<TaskParams> table = {
      {{"text-classification", "sentiment-analysis"}, {{"top_k", Kind::kInt, 1}, {"function_to_apply", Kind::kString}}},
      {{"token-classification", "ner"}, {{"aggregation_strategy", Kind::kString}, {"ignore_labels", Kind::kStrings}}},
      {{"fill-mask"}, {{"top_k", Kind::kInt, 1}, {"targets", Kind::kStringOrStrings}}},
      {{"question-answering"},
       {{"top_k", Kind::kInt, 1},
        {"max_answer_len", Kind::kInt, 1},
        {"max_seq_len", Kind::kInt, 1},
        {"doc_stride", Kind::kInt, 0},
        {"handle_impossible_answer", Kind::kBool},
        {"align_to_words", Kind::kBool}}},
      {{"zero-shot-classification"},
       {{"candidate_labels", Kind::kStringOrStrings},
        {"hypothesis_template", Kind::kString},
        {"multi_label", Kind::kBool}}},
      {{"feature-extraction", "sentence-similarity"},
       {{"normalize", Kind::kBool}, {"pooling", Kind::kString}, {"truncate", Kind::kBool}}},
      // What TGI and the Inference API take; generate()'s own names besides.
      {{"text-generation"},
       {{"max_new_tokens", Kind::kInt, 0},
        {"do_sample", Kind::kBool},
        {"temperature", Kind::kNumber, 0, 1e300, true},
        {"top_k", Kind::kInt, 0},
        {"top_p", Kind::kNumber, 0, 1, true},
        {"min_p", Kind::kNumber, 0, 1},
        {"typical_p", Kind::kNumber, 0, 1, true},
        {"repetition_penalty", Kind::kNumber, 0, 1e300, true},
        {"frequency_penalty", Kind::kNumber},
        {"no_repeat_ngram_size", Kind::kInt, 0},
        {"seed", Kind::kInt, 0},
        {"stop", Kind::kStringOrStrings},
        {"stop_sequences", Kind::kStringOrStrings},
        {"return_full_text", Kind::kBool},
        {"details", Kind::kBool},
        {"decoder_input_details", Kind::kBool},
        {"top_n_tokens", Kind::kInt, 0},
        {"best_of", Kind::kInt, 1},
        {"truncate", Kind::kInt, 0},
        {"watermark", Kind::kBool},
        {"grammar", Kind::kAny},
        {"adapter_id", Kind::kString},
        {"max_time", Kind::kNumber, 0},
        {"num_return_sequences", Kind::kInt, 1},
        {"use_cache", Kind::kBool},
        // beam search (text_generation_pipeline.cpp RunBeams)
        {"num_beams", Kind::kInt, 1},
        {"length_penalty", Kind::kNumber},
        {"early_stopping", Kind::kAny}}},
      // Encoder-decoder generation (text2text_pipeline.cpp): generate()'s beam search settings.
      {{"text2text-generation", "summarization", "translation"},
       {{"max_length", Kind::kInt, 1},
        {"max_new_tokens", Kind::kInt, 1},
        {"min_length", Kind::kInt, 0},
        {"min_new_tokens", Kind::kInt, 0},
        {"num_beams", Kind::kInt, 1},
        {"length_penalty", Kind::kNumber},
        {"early_stopping", Kind::kAny},
        {"num_return_sequences", Kind::kInt, 1},
        {"no_repeat_ngram_size", Kind::kInt, 0}}},
  };
  return table;
}

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kInt:
      return "an integer";
    case Kind::kNumber:
      return "a number";
    case Kind::kBool:
      return "a boolean";
    case Kind::kString:
      return "a string";
    case Kind::kStrings:
      return "a list of strings";
    case Kind::kStringOrStrings:
      return "a string or a list of strings";
    case Kind::kAny:
      break;
  }
  return "a value";
}

// Checks each request's parameters (over the pipeline's defaults) before the task runs it.
class ParameterCheckedPipeline : public Pipeline {
 public:
  ParameterCheckedPipeline(std::unique_ptr<Pipeline> inner, const PipelineOptions& options)
      : inner_(std::move(inner)), options_(options) {
    task_ = inner_->task();
  }
  Result<Json> Run(const Json& request) override {
    MHUB_RETURN_IF_ERROR(Check(request));
    return inner_->Run(request);
  }
  Result<Json> RunStreaming(const Json& request, const TokenStreamFn& stream) override {
    MHUB_RETURN_IF_ERROR(Check(request));
    return inner_->RunStreaming(request, stream);
  }

 private:
  Status Check(const Json& request) const {
    MHUB_ASSIGN_OR_RETURN(Json params, MergedParameters(request, options_));
    return CheckParameters(task_, params);
  }
  std::unique_ptr<Pipeline> inner_;
  PipelineOptions options_;
};

bool HasKind(const Json& v, Kind k) {
  auto all_strings = [&] {
    if (!v.is_array()) return false;
    for (const Json& x : v)
      if (!x.is_string()) return false;
    return true;
  };
  switch (k) {
    case Kind::kInt:
      return v.is_number_integer();
    case Kind::kNumber:
      return v.is_number();
    case Kind::kBool:
      return v.is_boolean();
    case Kind::kString:
      return v.is_string();
    case Kind::kStrings:
      return all_strings();
    case Kind::kStringOrStrings:
      return v.is_string() || all_strings();
    case Kind::kAny:
      return true;
  }
  return false;
}

std::string FormatNumber(double x) {
  std::string s = std::to_string(x);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

// Named values of the string parameters, checked by the parsers the tasks use.
Status CheckNamedValue(const std::string& task, const Param& p, const Json& v) {
  const std::string name = p.name;
  const std::string value = v.get<std::string>();
  Status s = Status::OK();
  if (name == "function_to_apply") s = ParseClassificationFunction(value).status();
  if (name == "aggregation_strategy") s = ParseAggregationStrategy(value).status();
  if (name == "pooling") s = ParsePooling(value).status();
  if (!s.ok()) return Status::InvalidArgument(task + " parameter " + name + ": " + s.message());
  return Status::OK();
}

}  // namespace

Status Pipeline::CheckParameters(std::string_view task_name, const Json& params) {
  if (params.is_null()) return Status::OK();
  const std::string task(task_name);
  if (!params.is_object()) return Status::InvalidArgument("\"parameters\" must be an object");
  const TaskParams* spec = nullptr;
  for (const auto& t : Table())
    for (const char* name : t.tasks)
      if (task == name) spec = &t;
  if (spec == nullptr) return Status::OK();  // unknown tasks are refused by Create
  for (auto it = params.begin(); it != params.end(); ++it) {
    const Param* p = nullptr;
    for (const auto& q : spec->params)
      if (it.key() == q.name) p = &q;
    if (p == nullptr) {
      std::string names;
      for (const auto& q : spec->params) names += (names.empty() ? "" : ", ") + std::string(q.name);
      return Status::InvalidArgument("unknown " + task + " parameter '" + it.key() + "'; known: " + names);
    }
    const Json& v = it.value();
    if (v.is_null()) continue;  // null means "the default", as the Inference API reads it
    if (!HasKind(v, p->kind))
      return Status::InvalidArgument(task + " parameter " + p->name + " must be " + KindName(p->kind) + ", got " +
                                     v.dump());
    if (v.is_number()) {
      double x = v.get<double>();
      bool low = p->min_exclusive ? x <= p->min : x < p->min;
      if (low || x > p->max) {
        std::string range = std::string(p->min_exclusive ? "> " : ">= ") + FormatNumber(p->min);
        if (p->max < 1e300) range += " and <= " + FormatNumber(p->max);
        return Status::InvalidArgument(task + " parameter " + p->name + " must be " + range + ", got " + v.dump());
      }
    }
    if (v.is_string() && p->kind == Kind::kString) MHUB_RETURN_IF_ERROR(CheckNamedValue(task, *p, v));
  }
  return Status::OK();
}

std::unique_ptr<Pipeline> WithParameterCheck(std::unique_ptr<Pipeline> pipeline, const PipelineOptions& options) {
  return std::make_unique<ParameterCheckedPipeline>(std::move(pipeline), options);
}

}  // namespace mhub::pipelines
