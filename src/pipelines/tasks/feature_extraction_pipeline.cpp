#include "mhub/pipelines/embeddings.h"
#include "pipelines/tasks/pipeline_context.h"
#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {
namespace {

// feature-extraction (TEI shape: one vector per input, 2-D even for one string) and
// sentence-similarity (cosine of mean-pooled embeddings). Options may sit at the top level of
// the request (TEI style: normalize, pooling) or under "parameters".
class FeatureExtractionPipeline : public Pipeline {
 public:
  FeatureExtractionPipeline(PipelineContext ctx, bool similarity) : ctx_(std::move(ctx)), similarity_(similarity) {
    task_ = similarity ? "sentence-similarity" : "feature-extraction";
  }

  Result<Json> Run(const Json& request) override {
    MHUB_ASSIGN_OR_RETURN(Json params, MergedParameters(request, ctx_.options));
    for (const char* key : {"normalize", "pooling", "truncate"})
      if (request.is_object() && request.contains(key)) params[key] = request[key];
    MHUB_ASSIGN_OR_RETURN(std::optional<bool> normalize, OptBool(params, "normalize"));
    MHUB_ASSIGN_OR_RETURN(std::optional<std::string> pooling_name, OptString(params, "pooling"));
    Pooling pooling = Pooling::kMean;
    if (pooling_name) {
      MHUB_ASSIGN_OR_RETURN(pooling, ParsePooling(*pooling_name));
    }
    if (similarity_) {
      if (!request.is_object() || !request.contains("inputs") || !request["inputs"].is_object())
        return Status::InvalidArgument(
            "sentence-similarity needs inputs {\"source_sentence\": ..., \"sentences\": [...]}");
      const Json& in = request["inputs"];
      if (!in.contains("source_sentence") || !in["source_sentence"].is_string() || !in.contains("sentences") ||
          !in["sentences"].is_array())
        return Status::InvalidArgument(
            "sentence-similarity needs inputs {\"source_sentence\": ..., \"sentences\": [...]}");
      std::vector<std::string> texts = {in["source_sentence"].get<std::string>()};
      for (const Json& s : in["sentences"]) {
        if (!s.is_string()) return Status::InvalidArgument("sentences must be strings");
        texts.push_back(s.get<std::string>());
      }
      MHUB_ASSIGN_OR_RETURN(auto vecs, Embed(texts, pooling == Pooling::kNone ? Pooling::kMean : pooling, true));
      Json out = Json::array();
      for (size_t i = 1; i < vecs.size(); ++i) out.push_back(CosineSimilarity(vecs[0], vecs[i]));
      return out;
    }
    MHUB_ASSIGN_OR_RETURN(std::vector<std::string> texts, StringInputs(request, nullptr));
    MHUB_ASSIGN_OR_RETURN(auto vecs, Embed(texts, pooling, normalize.value_or(true)));
    Json out = Json::array();
    size_t hidden = static_cast<size_t>(ctx_.model->info().hidden_size);
    for (auto& v : vecs) {
      if (pooling == Pooling::kNone) {
        Json rows = Json::array();
        for (size_t t = 0; hidden && t < v.size() / hidden; ++t)
          rows.push_back(std::vector<float>(v.begin() + t * hidden, v.begin() + (t + 1) * hidden));
        out.push_back(std::move(rows));
      } else {
        out.push_back(v);
      }
    }
    return out;
  }

 private:
  // Pooled (or per-token, for kNone: only real tokens) embeddings of each text.
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts, Pooling pooling,
                                                bool normalize) {
    std::vector<std::vector<float>> out;
    size_t batch = static_cast<size_t>(std::max(1, ctx_.options.batch_size));
    for (size_t begin = 0; begin < texts.size(); begin += batch) {
      std::vector<std::string> chunk(texts.begin() + begin, texts.begin() + std::min(texts.size(), begin + batch));
      MHUB_ASSIGN_OR_RETURN(models::ModelInputs in, EncodeForModel(ctx_, chunk, nullptr, nullptr));
      MHUB_ASSIGN_OR_RETURN(models::ModelOutputs o, ctx_.model->Forward(in));
      const models::Array& h = o["last_hidden_state"];
      size_t t_len = static_cast<size_t>(in.seq_len), hidden = static_cast<size_t>(h.shape.back());
      for (size_t b = 0; b < chunk.size(); ++b) {
        std::vector<float> rows(h.values.begin() + b * t_len * hidden, h.values.begin() + (b + 1) * t_len * hidden);
        std::vector<int> mask(t_len);
        size_t real = 0;
        for (size_t t = 0; t < t_len; ++t) real += mask[t] = static_cast<int>(in.attention_mask[b * t_len + t]);
        if (pooling == Pooling::kNone) {
          rows.resize(real * hidden);
          out.push_back(std::move(rows));
          continue;
        }
        std::vector<float> v = Pool(rows, hidden, mask, pooling);
        if (normalize) L2Normalize(v);
        out.push_back(std::move(v));
      }
    }
    return out;
  }

  PipelineContext ctx_;
  bool similarity_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> MakeFeatureExtractionPipeline(const std::string& model, const PipelineOptions& o,
                                                                bool sentence_similarity) {
  MHUB_ASSIGN_OR_RETURN(PipelineContext ctx, LoadPipelineContext(model, models::Task::kBase, o));
  return std::unique_ptr<Pipeline>(new FeatureExtractionPipeline(std::move(ctx), sentence_similarity));
}

}  // namespace mhub::pipelines
