#include <algorithm>
#include <random>

#include "mhub/pipelines/generation.h"
#include "mhub/pipelines/seq2seq_generation.h"
#include "mhub/tokenizers/chat_template.h"
#include "mhub/tokenizers/tokenizer_config.h"
#include "pipelines/tasks/pipeline_context.h"
#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {
namespace {

// text-generation over a causal LM with a KV cache; chat messages go through the tokenizer's
// chat template. Output: [{"generated_text": ...}] (plus "details" on request), as TGI / the
// Inference API return it.
class TextGenerationPipeline : public Pipeline {
 public:
  explicit TextGenerationPipeline(PipelineContext ctx) : ctx_(std::move(ctx)) {
    task_ = "text-generation";
    lm_ = dynamic_cast<models::CausalLM*>(ctx_.model.get());
  }

  Result<Json> Run(const Json& request) override { return RunStreaming(request, nullptr); }

  Result<Json> RunStreaming(const Json& request, const TokenStreamFn& stream) override {
    if (!lm_) return Status::Internal("text-generation: the model is not a causal LM");
    MHUB_ASSIGN_OR_RETURN(Json params, MergedParameters(request, ctx_.options));
    // Names and ranges were checked by Pipeline::CheckParameters (task_parameters.cpp).
    if (!request.is_object() || !request.contains("inputs"))
      return Status::InvalidArgument("the request must be an object with \"inputs\"");
    const Json& inputs = request["inputs"];
    std::string prompt;
    bool chat = false;
    bool add_special = true;
    if (inputs.is_string()) {
      prompt = inputs.get<std::string>();
    } else if (inputs.is_array() && !inputs.empty() && inputs[0].is_object()) {
      chat = true;
      MHUB_ASSIGN_OR_RETURN(prompt, RenderChat(inputs));
      add_special = false;  // the template already placed BOS and friends
    } else {
      return Status::InvalidArgument("\"inputs\" must be a string or a list of chat messages");
    }

    GenerationOptions gen;
    const formats::GenerationConfig& gc = ctx_.generation;
    MHUB_ASSIGN_OR_RETURN(auto max_new, OptInt(params, "max_new_tokens"));
    MHUB_ASSIGN_OR_RETURN(auto do_sample, OptBool(params, "do_sample"));
    MHUB_ASSIGN_OR_RETURN(auto temperature, OptNumber(params, "temperature"));
    MHUB_ASSIGN_OR_RETURN(auto top_k, OptInt(params, "top_k"));
    MHUB_ASSIGN_OR_RETURN(auto top_p, OptNumber(params, "top_p"));
    MHUB_ASSIGN_OR_RETURN(auto min_p, OptNumber(params, "min_p"));
    MHUB_ASSIGN_OR_RETURN(auto rep, OptNumber(params, "repetition_penalty"));
    MHUB_ASSIGN_OR_RETURN(auto ngram, OptInt(params, "no_repeat_ngram_size"));
    MHUB_ASSIGN_OR_RETURN(auto seed, OptInt(params, "seed"));
    MHUB_ASSIGN_OR_RETURN(auto full_text, OptBool(params, "return_full_text"));
    MHUB_ASSIGN_OR_RETURN(auto details, OptBool(params, "details"));
    if (temperature && *temperature <= 0)
      return Status::InvalidArgument("`temperature` (=" + std::to_string(*temperature) +
                                     ") must be strictly positive; for greedy decoding leave do_sample off instead");
    if (top_p && (*top_p <= 0 || *top_p > 1)) return Status::InvalidArgument("`top_p` must be in (0, 1]");
    if (top_k && *top_k < 0) return Status::InvalidArgument("`top_k` must be >= 0");
    if (rep && *rep <= 0) return Status::InvalidArgument("`repetition_penalty` must be strictly positive");
    gen.sampling.do_sample = do_sample.value_or(gc.do_sample);
    gen.sampling.temperature = static_cast<float>(temperature.value_or(gc.temperature));
    gen.sampling.top_k = static_cast<int>(top_k.value_or(gc.top_k));
    gen.sampling.top_p = static_cast<float>(top_p.value_or(gc.top_p));
    gen.sampling.min_p = static_cast<float>(min_p.value_or(gc.min_p.value_or(0.0)));
    gen.sampling.repetition_penalty = static_cast<float>(rep.value_or(gc.repetition_penalty));
    gen.sampling.no_repeat_ngram_size = static_cast<int>(ngram.value_or(gc.no_repeat_ngram_size));
    gen.seed = seed ? static_cast<uint64_t>(*seed) : std::random_device{}();
    gen.stop = gc.stop_strings;
    if (params.contains("stop") && !params["stop"].is_null()) {
      if (params["stop"].is_string())
        gen.stop.push_back(params["stop"].get<std::string>());
      else if (params["stop"].is_array())
        for (const Json& s : params["stop"]) {
          if (!s.is_string()) return Status::InvalidArgument("parameter stop must be a list of strings");
          gen.stop.push_back(s.get<std::string>());
        }
      else
        return Status::InvalidArgument("parameter stop must be a list of strings");
    }
    for (int64_t id : gc.eos_token_ids) gen.eos_token_ids.push_back(static_cast<int32_t>(id));
    for (int64_t id : ctx_.model->info().eos_token_ids) gen.eos_token_ids.push_back(static_cast<int32_t>(id));
    if (const auto& eos = ctx_.tokenizer_config.eos_token)
      if (auto id = ctx_.tokenizer->TokenToId(*eos)) gen.eos_token_ids.push_back(static_cast<int32_t>(*id));

    MHUB_ASSIGN_OR_RETURN(tokenizers::Encoding enc, ctx_.tokenizer->Encode(prompt, add_special));
    std::vector<int32_t> prompt_ids(enc.ids.begin(), enc.ids.end());
    if (prompt_ids.empty()) {
      // An empty prompt starts from BOS (or EOS for GPT-2 style models), as transformers does.
      int64_t start = ctx_.model->info().bos_token_id >= 0 ? ctx_.model->info().bos_token_id
                      : gen.eos_token_ids.empty()          ? -1
                                                           : gen.eos_token_ids[0];
      if (start < 0) return Status::InvalidArgument("empty prompt and the model has no BOS token");
      prompt_ids.push_back(static_cast<int32_t>(start));
    }
    int64_t positions = ctx_.model->info().max_position_embeddings;
    int64_t budget = max_new ? *max_new : gc.MaxNewTokensFor(static_cast<int64_t>(prompt_ids.size()));
    if (budget < 0) return Status::InvalidArgument("max_new_tokens must be >= 0");
    if (positions > 0) {
      if (static_cast<int64_t>(prompt_ids.size()) >= positions)
        return Status::InvalidArgument("the prompt has " + std::to_string(prompt_ids.size()) +
                                       " tokens; this model takes at most " + std::to_string(positions - 1));
      budget = std::min<int64_t>(budget, positions - static_cast<int64_t>(prompt_ids.size()));
    }
    gen.max_new_tokens = static_cast<int>(budget);

    MHUB_ASSIGN_OR_RETURN(auto num_beams, OptInt(params, "num_beams"));
    if (num_beams && *num_beams > 1 && stream) {
      return Status::InvalidArgument("streaming is not supported with num_beams > 1 (as in transformers)");
    }
    if (num_beams && *num_beams > 1) return RunBeams(params, prompt, prompt_ids, gen, budget, full_text.value_or(true));

    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<models::KvCache> cache,
                          lm_->NewCache(1, static_cast<int64_t>(prompt_ids.size()) + budget + 1));
    NextLogitsFn next = [&](std::span<const int32_t> tokens) -> Result<std::vector<float>> {
      models::ModelInputs in;
      in.batch = 1;
      in.seq_len = static_cast<int64_t>(tokens.size());
      in.input_ids.assign(tokens.begin(), tokens.end());
      in.attention_mask.assign(tokens.size(), 1);
      MHUB_ASSIGN_OR_RETURN(models::Array logits, lm_->ForwardCausal(in, cache.get(), false));
      return std::move(logits.values);
    };
    DecodeFn decode = [&](std::span<const int32_t> ids) {
      return DecodeIds(ctx_, std::vector<uint32_t>(ids.begin(), ids.end()), true);
    };
    StreamFn on_token;
    if (stream) on_token = [&](int32_t token, std::string_view text) { return stream(token, text); };
    MHUB_ASSIGN_OR_RETURN(GenerationResult r, Generate(prompt_ids, gen, next, decode, on_token));

    Json item;
    bool full = full_text.value_or(true);
    if (chat) {
      if (full) {
        Json messages = inputs;
        messages.push_back({{"role", "assistant"}, {"content", r.text}});
        item["generated_text"] = messages;
      } else {
        item["generated_text"] = r.text;
      }
    } else {
      item["generated_text"] = full ? prompt + r.text : r.text;
    }
    if (details.value_or(false)) {
      item["details"] = {{"finish_reason", r.finish_reason},
                         {"generated_tokens", r.tokens.size()},
                         {"seed", gen.sampling.do_sample ? Json(gen.seed) : Json()},
                         {"input_length", prompt_ids.size()}};
    }
    return Json::array({item});
  }

 private:
  // Beam search (beam_search.h) as generate(num_beams > 1) does it: every returned beam becomes one
  // {"generated_text"} entry, its text cut at the first EOS. Chat input, streaming and sampling are
  // not combined with beams here.
  Result<Json> RunBeams(const Json& params, const std::string& prompt, const std::vector<int32_t>& prompt_ids,
                        const GenerationOptions& gen, int64_t budget, bool full_text) {
    if (gen.sampling.do_sample) return Status::InvalidArgument("num_beams > 1 with do_sample is not supported");
    if (budget <= 0) return Status::InvalidArgument("num_beams > 1 needs max_new_tokens >= 1");
    BeamSearchOptions o;
    o.eos_token_ids.assign(gen.eos_token_ids.begin(), gen.eos_token_ids.end());
    o.pad_token_id = ctx_.model->info().pad_token_id >= 0 ? ctx_.model->info().pad_token_id
                     : o.eos_token_ids.empty()            ? 0
                                                          : o.eos_token_ids[0];
    o.no_repeat_ngram_size = gen.sampling.no_repeat_ngram_size;
    const int prompt_len = static_cast<int>(prompt_ids.size());
    Json beam_params = Json::object();
    for (const char* key : {"num_beams", "length_penalty", "early_stopping", "num_return_sequences"}) {
      if (params.contains(key)) beam_params[key] = params[key];
    }
    MHUB_ASSIGN_OR_RETURN(o, BeamSearchOptionsFromJson(beam_params, o, prompt_len));
    o.max_length = prompt_len + static_cast<int>(budget);
    const std::vector<int64_t> prompt64(prompt_ids.begin(), prompt_ids.end());
    MHUB_ASSIGN_OR_RETURN(BeamSearchOutput out, GenerateCausal(*lm_, {prompt64}, o));
    // The pipeline's postprocess: decode the whole row, drop the decoded prompt's length.
    const std::string decoded_prompt = DecodeIds(ctx_, std::vector<uint32_t>(prompt_ids.begin(), prompt_ids.end()));
    Json items = Json::array();
    for (const std::vector<int64_t>& seq : out.sequences) {
      std::vector<uint32_t> row(prompt_ids.begin(), prompt_ids.end());
      for (size_t i = prompt_ids.size(); i < seq.size(); ++i) {
        if (std::find(o.eos_token_ids.begin(), o.eos_token_ids.end(), seq[i]) != o.eos_token_ids.end()) break;
        row.push_back(static_cast<uint32_t>(seq[i]));
      }
      const std::string all = DecodeIds(ctx_, row, true);
      const std::string text = all.size() >= decoded_prompt.size() ? all.substr(decoded_prompt.size()) : all;
      items.push_back({{"generated_text", full_text ? prompt + text : text}});
    }
    return items;
  }

  // transformers' apply_chat_template(messages, add_generation_prompt=True) with the special
  // tokens of tokenizer_config.json as template variables.
  Result<std::string> RenderChat(const Json& messages) {
    tokenizers::ChatTemplateInputs in;
    in.messages = OrderedJson::parse(messages.dump());
    in.add_generation_prompt = true;
    auto rendered = ctx_.tokenizer_config.ApplyChatTemplate(in);
    if (!rendered.ok()) return rendered.status().WithContext("while applying the chat template");
    return rendered;
  }

  PipelineContext ctx_;
  models::CausalLM* lm_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> MakeTextGenerationPipeline(const std::string& model, const PipelineOptions& o) {
  MHUB_ASSIGN_OR_RETURN(PipelineContext ctx, LoadPipelineContext(model, models::Task::kCausalLM, o));
  if (!dynamic_cast<models::CausalLM*>(ctx.model.get()))
    return Status::InvalidArgument("text-generation needs a causal LM (GPT-2, Llama, Mistral, Qwen2)");
  return std::unique_ptr<Pipeline>(new TextGenerationPipeline(std::move(ctx)));
}

}  // namespace mhub::pipelines
