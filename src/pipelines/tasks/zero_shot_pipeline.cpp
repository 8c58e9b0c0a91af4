#include "mhub/pipelines/classification.h"
#include "pipelines/tasks/pipeline_context.h"
#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {
namespace {

class ZeroShotPipeline : public Pipeline {
 public:
  explicit ZeroShotPipeline(PipelineContext ctx) : ctx_(std::move(ctx)) { task_ = "zero-shot-classification"; }

  Result<Json> Run(const Json& request) override {
    MHUB_ASSIGN_OR_RETURN(Json params, MergedParameters(request, ctx_.options));
    bool was_list = false;
    MHUB_ASSIGN_OR_RETURN(std::vector<std::string> texts, StringInputs(request, &was_list));
    std::vector<std::string> labels;
    if (params.contains("candidate_labels") && params["candidate_labels"].is_string()) {
      labels = SplitCandidateLabels(params["candidate_labels"].get<std::string>());
    } else if (params.contains("candidate_labels") && params["candidate_labels"].is_array()) {
      for (const Json& l : params["candidate_labels"]) {
        if (!l.is_string()) return Status::InvalidArgument("candidate_labels must be strings");
        labels.push_back(l.get<std::string>());
      }
    }
    if (labels.empty()) return Status::InvalidArgument("zero-shot-classification needs parameters.candidate_labels");
    MHUB_ASSIGN_OR_RETURN(std::optional<std::string> tmpl, OptString(params, "hypothesis_template"));
    std::string hypothesis_template = tmpl.value_or("This example is {}.");
    if (hypothesis_template.find("{}") == std::string::npos)
      return Status::InvalidArgument(
          "The provided hypothesis_template \"" + hypothesis_template +
          "\" was not able to be formatted with the target labels. Make sure the "
          "passed template includes formatting syntax such as {} where the label should go.");
    MHUB_ASSIGN_OR_RETURN(std::optional<bool> multi_label, OptBool(params, "multi_label"));
    Json out = Json::array();
    for (const std::string& text : texts) {
      std::vector<std::string> premises(labels.size(), text), hypotheses;
      for (const std::string& l : labels) {
        std::string h = hypothesis_template;
        h.replace(h.find("{}"), 2, l);
        hypotheses.push_back(h);
      }
      MHUB_ASSIGN_OR_RETURN(models::ModelInputs in, EncodeForModel(ctx_, premises, &hypotheses, nullptr));
      MHUB_ASSIGN_OR_RETURN(models::ModelOutputs o, ctx_.model->Forward(in));
      const models::Array& logits = o["logits"];
      size_t n = static_cast<size_t>(logits.shape.back());
      std::vector<std::vector<float>> rows;
      for (size_t i = 0; i < labels.size(); ++i)
        rows.emplace_back(logits.values.begin() + i * n, logits.values.begin() + (i + 1) * n);
      MHUB_ASSIGN_OR_RETURN(
          Json r, PostprocessZeroShot(text, labels, rows, ctx_.model->info().id2label, multi_label.value_or(false)));
      // The Inference API's spec shape: [{label, score}] sorted by score.
      Json items = Json::array();
      for (size_t i = 0; i < r["labels"].size(); ++i)
        items.push_back({{"label", r["labels"][i]}, {"score", r["scores"][i]}});
      out.push_back(std::move(items));
    }
    return was_list ? out : out[0];
  }

 private:
  PipelineContext ctx_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> MakeZeroShotPipeline(const std::string& model, const PipelineOptions& o) {
  MHUB_ASSIGN_OR_RETURN(PipelineContext ctx, LoadPipelineContext(model, models::Task::kSequenceClassification, o));
  if (EntailmentId(ctx.model->info().id2label) < 0)
    return Status::InvalidArgument(
        "zero-shot-classification needs an NLI model: config id2label has no label starting with 'entail'");
  return std::unique_ptr<Pipeline>(new ZeroShotPipeline(std::move(ctx)));
}

}  // namespace mhub::pipelines
