// Constructors of the task pipelines (one file each under tasks/), used by Pipeline::Create.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mhub/pipelines/pipeline.h"

namespace mhub::pipelines {

Result<std::unique_ptr<Pipeline>> MakeTextClassificationPipeline(const std::string& model, const PipelineOptions& o);
Result<std::unique_ptr<Pipeline>> MakeTokenClassificationPipeline(const std::string& model, const PipelineOptions& o);
Result<std::unique_ptr<Pipeline>> MakeFillMaskPipeline(const std::string& model, const PipelineOptions& o);
Result<std::unique_ptr<Pipeline>> MakeFeatureExtractionPipeline(const std::string& model, const PipelineOptions& o,
                                                                bool sentence_similarity);
Result<std::unique_ptr<Pipeline>> MakeQuestionAnsweringPipeline(const std::string& model, const PipelineOptions& o);
Result<std::unique_ptr<Pipeline>> MakeZeroShotPipeline(const std::string& model, const PipelineOptions& o);
Result<std::unique_ptr<Pipeline>> MakeTextGenerationPipeline(const std::string& model, const PipelineOptions& o);
// text2text-generation, summarization, translation and translation_xx_to_yy (encoder-decoder LMs).
bool IsText2TextTask(std::string_view task);
Result<std::unique_ptr<Pipeline>> MakeText2TextPipeline(std::string_view task, const std::string& model,
                                                        const PipelineOptions& o);

// `pipeline` with every request's parameters checked by Pipeline::CheckParameters first.
std::unique_ptr<Pipeline> WithParameterCheck(std::unique_ptr<Pipeline> pipeline, const PipelineOptions& options);

}  // namespace mhub::pipelines
