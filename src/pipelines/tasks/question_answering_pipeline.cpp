#include "mhub/pipelines/question_answering.h"
#include "pipelines/tasks/pipeline_context.h"
#include "pipelines/tasks/task_pipelines.h"

namespace mhub::pipelines {
namespace {

// Extractive QA: question + context encoded as a pair, the context split into windows of
// max_seq_len tokens overlapping by doc_stride (truncation only_second with overflow), one
// forward pass over all windows, then the span search of question_answering.h.
class QuestionAnsweringPipeline : public Pipeline {
 public:
  explicit QuestionAnsweringPipeline(PipelineContext ctx) : ctx_(std::move(ctx)) { task_ = "question-answering"; }

  Result<Json> Run(const Json& request) override {
    MHUB_ASSIGN_OR_RETURN(Json params, MergedParameters(request, ctx_.options));
    if (!request.is_object() || !request.contains("inputs") || !request["inputs"].is_object() ||
        !request["inputs"].contains("question") || !request["inputs"]["question"].is_string() ||
        !request["inputs"].contains("context") || !request["inputs"]["context"].is_string())
      return Status::InvalidArgument("question-answering needs inputs {\"question\": str, \"context\": str}");
    std::string question = request["inputs"]["question"], context = request["inputs"]["context"];
    if (question.empty()) return Status::InvalidArgument("`question` cannot be empty");
    if (context.empty()) return Status::InvalidArgument("`context` cannot be empty");
    QaOptions opt;
    MHUB_ASSIGN_OR_RETURN(auto top_k, OptInt(params, "top_k"));
    MHUB_ASSIGN_OR_RETURN(auto max_answer_len, OptInt(params, "max_answer_len"));
    MHUB_ASSIGN_OR_RETURN(auto impossible, OptBool(params, "handle_impossible_answer"));
    MHUB_ASSIGN_OR_RETURN(auto align, OptBool(params, "align_to_words"));
    MHUB_ASSIGN_OR_RETURN(auto max_seq_len_opt, OptInt(params, "max_seq_len"));
    MHUB_ASSIGN_OR_RETURN(auto doc_stride_opt, OptInt(params, "doc_stride"));
    if (top_k) opt.top_k = static_cast<int>(*top_k);
    if (max_answer_len) opt.max_answer_len = static_cast<int>(*max_answer_len);
    if (impossible) opt.handle_impossible_answer = *impossible;
    if (align) opt.align_to_words = *align;
    size_t max_seq_len =
        std::min<size_t>(ModelMaxLength(ctx_), max_seq_len_opt ? static_cast<size_t>(*max_seq_len_opt) : 384);
    size_t doc_stride = doc_stride_opt ? static_cast<size_t>(*doc_stride_opt) : std::min<size_t>(128, max_seq_len / 2);
    MHUB_ASSIGN_OR_RETURN(tokenizers::Encoding q_only, ctx_.tokenizer->Encode(question, false));
    size_t specials = ctx_.tokenizer->NumSpecialTokensToAdd(true);
    if (q_only.size() + specials + 1 >= max_seq_len)
      return Status::InvalidArgument("the question is too long for max_seq_len " + std::to_string(max_seq_len));
    size_t room = max_seq_len - q_only.size() - specials;
    if (doc_stride >= room) doc_stride = room > 1 ? room / 2 : 0;

    tokenizers::TruncationParams trunc;
    trunc.max_length = max_seq_len;
    trunc.stride = doc_stride;
    trunc.strategy = tokenizers::TruncationStrategy::kOnlySecond;
    MHUB_RETURN_IF_ERROR(ctx_.tokenizer->SetTruncation(trunc));
    auto enc = ctx_.tokenizer->EncodePair(question, context);
    MHUB_RETURN_IF_ERROR(ctx_.tokenizer->SetTruncation(std::nullopt));
    if (!enc.ok()) return enc.status();
    std::vector<const tokenizers::Encoding*> spans = {&*enc};
    for (const auto& o : enc->overflowing) spans.push_back(&o);

    models::ModelInputs in = BatchInputs(ctx_, spans);
    size_t longest = static_cast<size_t>(in.seq_len);
    MHUB_ASSIGN_OR_RETURN(models::ModelOutputs out, ctx_.model->Forward(in));
    const models::Array& start = out["start_logits"];
    const models::Array& end = out["end_logits"];
    std::vector<QaWindow> windows;
    for (size_t b = 0; b < spans.size(); ++b) {
      const tokenizers::Encoding& s = *spans[b];
      std::vector<std::optional<uint32_t>> seq = s.SequenceIds();
      QaWindow w;
      for (size_t t = 0; t < s.size(); ++t) {
        bool ctx_tok = seq[t] && *seq[t] == 1;
        w.start_logits.push_back(start.values[b * longest + t]);
        w.end_logits.push_back(end.values[b * longest + t]);
        // Context tokens, and the CLS token (some models point there for "no answer").
        w.allowed.push_back(ctx_tok || (t == 0 && s.special_tokens_mask[t]));
        w.is_context.push_back(ctx_tok);
        w.attention_mask.push_back(1);
        w.offsets.push_back(s.offsets[t]);
        w.word_ids.push_back(s.word_ids[t] ? static_cast<int>(*s.word_ids[t]) : -1);
      }
      windows.push_back(std::move(w));
    }
    MHUB_ASSIGN_OR_RETURN(Json answers, PostprocessQuestionAnswering(context, windows, opt));
    return opt.top_k == 1 && !answers.empty() ? answers[0] : answers;
  }

 private:
  PipelineContext ctx_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> MakeQuestionAnsweringPipeline(const std::string& model, const PipelineOptions& o) {
  MHUB_ASSIGN_OR_RETURN(PipelineContext ctx, LoadPipelineContext(model, models::Task::kQuestionAnswering, o));
  return std::unique_ptr<Pipeline>(new QuestionAnsweringPipeline(std::move(ctx)));
}

}  // namespace mhub::pipelines
