#include "mhub/pipelines/generation.h"

#include <algorithm>

namespace mhub::pipelines {

size_t FindStopEnd(std::string_view text, const std::vector<std::string>& stop) {
  size_t best = std::string_view::npos;
  for (const std::string& s : stop) {
    if (s.empty()) continue;
    size_t pos = text.find(s);
    if (pos != std::string_view::npos) best = std::min(best, pos + s.size());
  }
  return best;
}

namespace {

// Text that can be streamed now: everything decoded so far except a trailing incomplete UTF-8
// sequence (decoders render it as U+FFFD) and except a tail that could still grow into a stop string.
size_t StreamableLength(std::string_view text, const std::vector<std::string>& stop) {
  size_t len = text.size();
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  if (len >= 3 && text.substr(len - 3) == kReplacement) len -= 3;
  size_t hold = 0;
  for (const std::string& s : stop) {
    for (size_t k = std::min(s.size() - (s.empty() ? 0 : 1), len); k > hold; --k) {
      if (text.substr(len - k, k) == std::string_view(s).substr(0, k)) {
        hold = k;
        break;
      }
    }
  }
  return len - hold;
}

}  // namespace

Result<GenerationResult> Generate(std::span<const int32_t> prompt, const GenerationOptions& options,
                                  const NextLogitsFn& next_logits, const DecodeFn& decode, const StreamFn& stream) {
  GenerationResult out;
  std::vector<int32_t> context(prompt.begin(), prompt.end());
  std::mt19937_64 rng(options.seed);
  size_t streamed = 0;
  std::vector<int32_t> pending(prompt.begin(), prompt.end());
  out.finish_reason = "length";
  for (int step = 0; step < options.max_new_tokens; ++step) {
    MHUB_ASSIGN_OR_RETURN(std::vector<float> logits, next_logits(pending));
    if (logits.empty()) return Status::Internal("generate: the model returned no logits");
    int32_t token = SelectNextToken(logits, context, options.sampling, rng);
    if (std::find(options.eos_token_ids.begin(), options.eos_token_ids.end(), token) != options.eos_token_ids.end()) {
      out.finish_reason = "eos_token";
      break;
    }
    out.tokens.push_back(token);
    context.push_back(token);
    pending.assign(1, token);
    std::string text = decode(out.tokens);
    size_t stop_end = FindStopEnd(text, options.stop);
    bool stopped = stop_end != std::string::npos;
    if (stopped) text.resize(stop_end);
    if (stream) {
      size_t ready = stopped ? text.size() : StreamableLength(text, options.stop);
      std::string_view piece;
      if (ready > streamed) piece = std::string_view(text).substr(streamed, ready - streamed);
      if (ready > streamed) streamed = ready;
      if (!stream(token, piece)) {
        out.text = text;
        out.finish_reason = stopped ? "stop_sequence" : "length";
        return out;
      }
    }
    out.text = std::move(text);
    if (stopped) {
      out.finish_reason = "stop_sequence";
      return out;
    }
  }
  if (stream && out.text.size() > streamed) stream(-1, std::string_view(out.text).substr(streamed));
  return out;
}

}  // namespace mhub::pipelines
