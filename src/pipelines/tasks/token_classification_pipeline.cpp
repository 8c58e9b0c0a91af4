#include "mhub/pipelines/token_classification.h"
#include "pipelines/tasks/pipeline_context.h"
#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {
namespace {

class TokenClassificationPipeline : public Pipeline {
 public:
  explicit TokenClassificationPipeline(PipelineContext ctx) : ctx_(std::move(ctx)) {
    task_ = "token-classification";
    // transformers fuses subwords exactly only for tokenizers whose model has a continuing
    // subword prefix (WordPiece "##", some BPEs); others fall back to a whitespace heuristic.
    Json tj = ctx_.tokenizer->ToJson();
    if (tj.contains("model") && tj["model"].is_object()) {
      const Json& m = tj["model"];
      word_aware_ = m.contains("continuing_subword_prefix") && m["continuing_subword_prefix"].is_string() &&
                    !m["continuing_subword_prefix"].get<std::string>().empty();
      if (m.contains("unk_token") && m["unk_token"].is_string()) {
        if (auto id = ctx_.tokenizer->TokenToId(m["unk_token"].get<std::string>())) unk_id_ = static_cast<int32_t>(*id);
      }
    }
  }

  Result<Json> Run(const Json& request) override {
    MHUB_ASSIGN_OR_RETURN(Json params, MergedParameters(request, ctx_.options));
    bool was_list = false;
    MHUB_ASSIGN_OR_RETURN(std::vector<std::string> texts, StringInputs(request, &was_list));
    TokenClassificationOptions opt;
    opt.word_aware_tokenizer = word_aware_;
    opt.unk_token_id = unk_id_;
    MHUB_ASSIGN_OR_RETURN(std::optional<std::string> strategy, OptString(params, "aggregation_strategy"));
    if (strategy) {
      MHUB_ASSIGN_OR_RETURN(opt.strategy, ParseAggregationStrategy(*strategy));
    }
    if (params.contains("ignore_labels")) {
      if (!params["ignore_labels"].is_array()) return Status::InvalidArgument("parameter ignore_labels must be a list");
      opt.ignore_labels.clear();
      for (const Json& l : params["ignore_labels"]) {
        if (!l.is_string()) return Status::InvalidArgument("parameter ignore_labels must be a list of strings");
        opt.ignore_labels.push_back(l.get<std::string>());
      }
    }
    auto tokens_to_string = [this](const std::vector<std::string>& toks) {
      std::vector<uint32_t> ids;
      for (const auto& t : toks)
        if (auto id = ctx_.tokenizer->TokenToId(t)) ids.push_back(*id);
      auto r = ctx_.tokenizer->Decode(ids, false, false);
      return r.ok() ? *r : std::string();
    };
    Json out = Json::array();
    for (const std::string& text : texts) {
      std::vector<tokenizers::Encoding> encs;
      MHUB_ASSIGN_OR_RETURN(models::ModelInputs in, EncodeForModel(ctx_, {text}, nullptr, &encs));
      MHUB_ASSIGN_OR_RETURN(models::ModelOutputs o, ctx_.model->Forward(in));
      const models::Array& logits = o["logits"];
      const tokenizers::Encoding& e = encs[0];
      std::vector<TokenInfo> infos;
      for (size_t t = 0; t < e.size(); ++t) {
        infos.push_back({static_cast<int32_t>(e.ids[t]), e.tokens[t], e.offsets[t].first, e.offsets[t].second,
                         e.special_tokens_mask[t] != 0});
      }
      size_t labels = static_cast<size_t>(logits.shape.back());
      std::vector<float> rows(logits.values.begin(), logits.values.begin() + e.size() * labels);
      MHUB_ASSIGN_OR_RETURN(Json r, PostprocessTokenClassification(text, infos, rows, labels,
                                                                   ctx_.model->info().id2label, opt, tokens_to_string));
      out.push_back(std::move(r));
    }
    return was_list ? out : out[0];
  }

 private:
  PipelineContext ctx_;
  bool word_aware_ = false;
  std::optional<int32_t> unk_id_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> MakeTokenClassificationPipeline(const std::string& model, const PipelineOptions& o) {
  MHUB_ASSIGN_OR_RETURN(PipelineContext ctx, LoadPipelineContext(model, models::Task::kTokenClassification, o));
  return std::unique_ptr<Pipeline>(new TokenClassificationPipeline(std::move(ctx)));
}

}  // namespace mhub::pipelines
