#include <algorithm>
#include <cmath>
#include <numeric>

#include "pipelines/tasks/pipeline_context.h"
#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {
namespace {

class FillMaskPipeline : public Pipeline {
 public:
  FillMaskPipeline(PipelineContext ctx, uint32_t mask_id, std::string mask_token)
      : ctx_(std::move(ctx)), mask_id_(mask_id), mask_token_(std::move(mask_token)) {
    task_ = "fill-mask";
  }

  Result<Json> Run(const Json& request) override {
    MHUB_ASSIGN_OR_RETURN(Json params, MergedParameters(request, ctx_.options));
    bool was_list = false;
    MHUB_ASSIGN_OR_RETURN(std::vector<std::string> texts, StringInputs(request, &was_list));
    MHUB_ASSIGN_OR_RETURN(std::optional<int64_t> top_k_opt, OptInt(params, "top_k"));
    int64_t top_k = top_k_opt.value_or(5);
    if (top_k < 1) return Status::InvalidArgument("parameter top_k must be >= 1");
    std::vector<uint32_t> targets;
    if (params.contains("targets") && !params["targets"].is_null()) {
      std::vector<std::string> names;
      if (params["targets"].is_string())
        names.push_back(params["targets"].get<std::string>());
      else if (params["targets"].is_array())
        for (const Json& t : params["targets"])
          if (t.is_string()) names.push_back(t.get<std::string>());
      if (names.empty()) return Status::InvalidArgument("parameter targets must be a string or a list of strings");
      for (const std::string& name : names) {
        if (auto id = ctx_.tokenizer->TokenToId(name)) {
          targets.push_back(*id);
          continue;
        }
        // Like transformers: a target that is not one token uses the first token it encodes to.
        MHUB_ASSIGN_OR_RETURN(tokenizers::Encoding e, ctx_.tokenizer->Encode(name, false));
        if (e.ids.empty()) return Status::InvalidArgument("target '" + name + "' encodes to no token");
        targets.push_back(e.ids[0]);
      }
    }
    Json out = Json::array();
    for (const std::string& text : texts) {
      std::vector<tokenizers::Encoding> encs;
      MHUB_ASSIGN_OR_RETURN(models::ModelInputs in, EncodeForModel(ctx_, {text}, nullptr, &encs));
      const tokenizers::Encoding& e = encs[0];
      std::vector<size_t> masks;
      for (size_t t = 0; t < e.size(); ++t)
        if (e.ids[t] == mask_id_) masks.push_back(t);
      if (masks.empty()) return Status::InvalidArgument("No mask_token (" + mask_token_ + ") found on the input");
      MHUB_ASSIGN_OR_RETURN(models::ModelOutputs o, ctx_.model->Forward(in));
      const models::Array& logits = o["logits"];
      size_t vocab = static_cast<size_t>(logits.shape.back());
      Json per_mask = Json::array();
      for (size_t m : masks) {
        const float* row = logits.values.data() + m * vocab;
        float mx = *std::max_element(row, row + vocab);
        double sum = 0;
        for (size_t v = 0; v < vocab; ++v) sum += std::exp(row[v] - mx);
        std::vector<uint32_t> cand = targets;
        if (cand.empty()) {
          cand.resize(vocab);
          std::iota(cand.begin(), cand.end(), 0u);
        }
        size_t k = std::min(cand.size(), static_cast<size_t>(top_k));
        std::partial_sort(cand.begin(), cand.begin() + k, cand.end(),
                          [&](uint32_t a, uint32_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
        Json preds = Json::array();
        for (size_t i = 0; i < k; ++i) {
          uint32_t id = cand[i];
          if (id >= vocab) continue;
          std::vector<uint32_t> filled(e.ids.begin(), e.ids.end());
          filled[m] = id;
          // transformers skips special tokens in the sequence only when there is a single mask.
          preds.push_back({{"score", std::exp(row[id] - mx) / sum},
                           {"token", id},
                           {"token_str", DecodeIds(ctx_, {id}, false)},
                           {"sequence", DecodeIds(ctx_, filled, masks.size() == 1)}});
        }
        per_mask.push_back(std::move(preds));
      }
      out.push_back(masks.size() == 1 ? per_mask[0] : per_mask);
    }
    return was_list ? out : out[0];
  }

 private:
  PipelineContext ctx_;
  uint32_t mask_id_;
  std::string mask_token_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> MakeFillMaskPipeline(const std::string& model, const PipelineOptions& o) {
  MHUB_ASSIGN_OR_RETURN(PipelineContext ctx, LoadPipelineContext(model, models::Task::kMaskedLM, o));
  std::vector<std::string> candidates;
  if (ctx.tokenizer_config.mask_token) candidates.push_back(*ctx.tokenizer_config.mask_token);
  candidates.push_back("[MASK]");
  candidates.push_back("<mask>");
  for (const std::string& c : candidates) {
    if (auto id = ctx.tokenizer->TokenToId(c)) {
      return std::unique_ptr<Pipeline>(new FillMaskPipeline(std::move(ctx), *id, c));
    }
  }
  return Status::InvalidArgument("fill-mask needs a tokenizer with a mask token ([MASK] or <mask>)");
}

}  // namespace mhub::pipelines
