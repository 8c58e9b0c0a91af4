// text2text-generation, summarization and translation over an encoder-decoder LM (T5, BART,
// Marian), as transformers' Text2TextGenerationPipeline and its two subclasses: the checkpoint's
// task_specific_params for the task (summarization, translation_xx_to_yy) update the generation
// settings and give the input prefix ("summarize: ", "translate English to German: "), the
// request's parameters override them, and generate() runs greedy or beam search.
// Output: [{"generated_text" | "summary_text" | "translation_text": ...}] per input
// (num_return_sequences entries); a list of inputs gives a list of those, flattened when each
// has one entry, as the Python pipeline returns it.
#include "mhub/models/seq2seq.h"
#include "mhub/pipelines/seq2seq_generation.h"
#include "pipelines/tasks/pipeline_context.h"
#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {
namespace {

class Text2TextPipeline : public Pipeline {
 public:
  Text2TextPipeline(PipelineContext ctx, std::string task, std::string params_key, std::string output_key)
      : ctx_(std::move(ctx)), params_key_(std::move(params_key)), output_key_(std::move(output_key)) {
    task_ = std::move(task);
    lm_ = dynamic_cast<const models::Seq2SeqLM*>(ctx_.model.get());
  }

  Result<Json> Run(const Json& request) override {
    if (lm_ == nullptr) return Status::Internal(task_ + ": the model is not an encoder-decoder LM");
    MHUB_ASSIGN_OR_RETURN(Json params, MergedParameters(request, ctx_.options));
    bool was_list = false;
    MHUB_ASSIGN_OR_RETURN(std::vector<std::string> texts, StringInputs(request, &was_list));
    // transformers' pipeline(): config.update(task_specific_params[task]), then config.prefix.
    const Json& config = lm_->config_json();
    Json specific = Json::object();
    if (auto tsp = config.find("task_specific_params"); tsp != config.end() && tsp->is_object()) {
      if (auto it = tsp->find(params_key_); it != tsp->end() && it->is_object()) specific = *it;
    }
    std::string prefix;
    if (auto it = specific.find("prefix"); it != specific.end() && it->is_string()) {
      prefix = it->get<std::string>();
    } else if (auto p = config.find("prefix"); p != config.end() && p->is_string()) {
      prefix = p->get<std::string>();
    }
    MHUB_ASSIGN_OR_RETURN(BeamSearchOptions options, GenerationDefaults(*lm_));
    MHUB_ASSIGN_OR_RETURN(options, BeamSearchOptionsFromJson(specific, options, 1));
    MHUB_ASSIGN_OR_RETURN(options, BeamSearchOptionsFromJson(params, options, 1));
    for (std::string& t : texts) t = prefix + t;

    MHUB_ASSIGN_OR_RETURN(models::ModelInputs inputs, EncodeForModel(ctx_, texts, nullptr, nullptr));
    MHUB_ASSIGN_OR_RETURN(BeamSearchOutput out, GenerateSeq2Seq(*lm_, inputs, options));
    const size_t per_input = static_cast<size_t>(options.num_return_sequences);
    Json results = Json::array();
    for (size_t i = 0; i < texts.size(); ++i) {
      Json entries = Json::array();
      for (size_t j = 0; j < per_input; ++j) {
        const std::vector<int64_t>& seq = out.sequences[i * per_input + j];
        entries.push_back(Json{{output_key_, DecodeIds(ctx_, std::vector<uint32_t>(seq.begin(), seq.end()))}});
      }
      results.push_back(std::move(entries));
    }
    if (!was_list) return results[0];
    if (per_input == 1) {
      Json flat = Json::array();
      for (const Json& r : results) flat.push_back(r[0]);
      return flat;
    }
    return results;
  }

 private:
  PipelineContext ctx_;
  const models::Seq2SeqLM* lm_ = nullptr;
  std::string params_key_, output_key_;
};

// "translation_xx_to_yy" -> true with the key; "translation" -> the first translation_* entry of
// task_specific_params (transformers picks it with a warning), else "translation".
std::string TranslationKey(std::string_view task, const Json& config) {
  if (task != "translation") return std::string(task);
  if (auto tsp = config.find("task_specific_params"); tsp != config.end() && tsp->is_object()) {
    for (auto it = tsp->begin(); it != tsp->end(); ++it) {
      if (it.key().rfind("translation_", 0) == 0) return it.key();
    }
  }
  return "translation";
}

}  // namespace

bool IsText2TextTask(std::string_view task) {
  return task == "text2text-generation" || task == "summarization" || task == "translation" ||
         (task.rfind("translation_", 0) == 0 && task.find("_to_") != std::string_view::npos);
}

Result<std::unique_ptr<Pipeline>> MakeText2TextPipeline(std::string_view task, const std::string& model,
                                                        const PipelineOptions& o) {
  MHUB_ASSIGN_OR_RETURN(PipelineContext ctx, LoadPipelineContext(model, models::Task::kBase, o));
  if (dynamic_cast<const models::Seq2SeqLM*>(ctx.model.get()) == nullptr) {
    return Status::InvalidArgument(std::string(task) + " needs an encoder-decoder model (t5, bart, marian); " + model +
                                   " is a " + ctx.model->info().model_type + " model");
  }
  std::string output_key = "generated_text", params_key(task), name(task);
  if (task == "summarization") {
    output_key = "summary_text";
  } else if (task.rfind("translation", 0) == 0) {
    output_key = "translation_text";
    params_key = TranslationKey(task, ctx.model->config_json());
    name = "translation";  // one parameter table for every language pair
  }
  return std::unique_ptr<Pipeline>(
      std::make_unique<Text2TextPipeline>(std::move(ctx), std::move(name), std::move(params_key), output_key));
}

}  // namespace mhub::pipelines
