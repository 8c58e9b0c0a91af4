#include "mhub/pipelines/classification.h"
#include "pipelines/tasks/pipeline_context.h"
#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {
namespace {

class TextClassificationPipeline : public Pipeline {
 public:
  explicit TextClassificationPipeline(PipelineContext ctx) : ctx_(std::move(ctx)) { task_ = "text-classification"; }

  Result<Json> Run(const Json& request) override {
    MHUB_ASSIGN_OR_RETURN(Json params, MergedParameters(request, ctx_.options));
    MHUB_ASSIGN_OR_RETURN(std::vector<std::string> texts, StringInputs(request, nullptr));
    MHUB_ASSIGN_OR_RETURN(std::optional<int64_t> top_k, OptInt(params, "top_k"));
    MHUB_ASSIGN_OR_RETURN(std::optional<std::string> fn_name, OptString(params, "function_to_apply"));
    const auto& info = ctx_.model->info();
    std::string problem_type;
    const Json& cfg = ctx_.model->config_json();
    if (cfg.contains("problem_type") && cfg["problem_type"].is_string()) problem_type = cfg["problem_type"];
    ClassificationFunction fn = DefaultClassificationFunction(problem_type, static_cast<size_t>(info.num_labels));
    if (fn_name) {
      MHUB_ASSIGN_OR_RETURN(fn, ParseClassificationFunction(*fn_name));
    }
    std::optional<int> k;
    if (top_k) k = static_cast<int>(*top_k);
    Json out = Json::array();
    size_t batch = static_cast<size_t>(std::max(1, ctx_.options.batch_size));
    for (size_t begin = 0; begin < texts.size(); begin += batch) {
      std::vector<std::string> chunk(texts.begin() + begin, texts.begin() + std::min(texts.size(), begin + batch));
      MHUB_ASSIGN_OR_RETURN(models::ModelInputs in, EncodeForModel(ctx_, chunk, nullptr, nullptr));
      MHUB_ASSIGN_OR_RETURN(models::ModelOutputs o, ctx_.model->Forward(in));
      const models::Array& logits = o["logits"];
      size_t labels = static_cast<size_t>(logits.shape.back());
      for (size_t b = 0; b < chunk.size(); ++b) {
        std::vector<float> row(logits.values.begin() + b * labels, logits.values.begin() + (b + 1) * labels);
        MHUB_ASSIGN_OR_RETURN(Json r, PostprocessTextClassification(row, info.id2label, fn, k));
        out.push_back(std::move(r));
      }
    }
    return out;
  }

 private:
  PipelineContext ctx_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> MakeTextClassificationPipeline(const std::string& model, const PipelineOptions& o) {
  MHUB_ASSIGN_OR_RETURN(PipelineContext ctx, LoadPipelineContext(model, models::Task::kSequenceClassification, o));
  return std::unique_ptr<Pipeline>(new TextClassificationPipeline(std::move(ctx)));
}

}  // namespace mhub::pipelines
