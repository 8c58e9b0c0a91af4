#include "mhub/pipelines/pipeline.h"

#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {

std::vector<std::string> Pipeline::SupportedTasks() {
  return {
      "feature-extraction", "sentence-similarity",      "text-classification", "token-classification", "fill-mask",
      "question-answering", "zero-shot-classification", "text-generation",     "text2text-generation", "summarization",
      "translation"};
}

Result<std::unique_ptr<Pipeline>> Pipeline::Create(std::string_view task, const std::string& model,
                                                   const PipelineOptions& options) {
  // Defaults (CLI flags) are checked before the model loads, so a typo fails at once.
  MHUB_RETURN_IF_ERROR(CheckParameters(task, options.default_parameters));
  Result<std::unique_ptr<Pipeline>> p = Status::Internal("unset");
  if (task == "text-classification" || task == "sentiment-analysis") {
    p = MakeTextClassificationPipeline(model, options);
  } else if (task == "token-classification" || task == "ner") {
    p = MakeTokenClassificationPipeline(model, options);
  } else if (task == "fill-mask") {
    p = MakeFillMaskPipeline(model, options);
  } else if (task == "feature-extraction") {
    p = MakeFeatureExtractionPipeline(model, options, false);
  } else if (task == "sentence-similarity") {
    p = MakeFeatureExtractionPipeline(model, options, true);
  } else if (task == "question-answering") {
    p = MakeQuestionAnsweringPipeline(model, options);
  } else if (task == "zero-shot-classification") {
    p = MakeZeroShotPipeline(model, options);
  } else if (task == "text-generation") {
    p = MakeTextGenerationPipeline(model, options);
  } else if (IsText2TextTask(task)) {
    p = MakeText2TextPipeline(task, model, options);
  } else {
    std::string names;
    for (const auto& t : SupportedTasks()) names += (names.empty() ? "" : ", ") + t;
    return Status::InvalidArgument("unknown task '" + std::string(task) + "'; supported: " + names);
  }
  if (!p.ok()) return p;
  return WithParameterCheck(std::move(p).value(), options);
}

}  // namespace mhub::pipelines
