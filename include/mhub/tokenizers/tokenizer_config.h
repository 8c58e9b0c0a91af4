// tokenizer_config.json: the transformers-side settings next to tokenizer.json (special tokens,
// lengths, padding/truncation sides, chat templates). Unknown keys are ignored, as transformers does.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/tokenizers/chat_template.h"

namespace mhub::tokenizers {

struct TokenizerConfig {
  // transformers' "no limit" default (int(1e30)); values beyond int64 are clamped to this.
  static constexpr int64_t kNoMaxLength = INT64_MAX;

  std::string tokenizer_class;  // "" when absent
  int64_t model_max_length = kNoMaxLength;
  std::string padding_side = "right";     // "right" or "left"
  std::string truncation_side = "right";  // "right" or "left"
  // Special tokens: the string form, or the "content" of the AddedToken dict form; nullopt when
  // absent or null.
  std::optional<std::string> bos_token, eos_token, unk_token, pad_token, sep_token, cls_token, mask_token;
  std::vector<std::string> additional_special_tokens;
  std::optional<bool> add_bos_token, add_eos_token;
  std::optional<bool> clean_up_tokenization_spaces;
  bool split_special_tokens = false;
  // Chat templates by name. A plain string "chat_template" is stored under "default"; the list
  // form [{"name", "template"}, ...] keeps its names.
  std::map<std::string, std::string> chat_templates;

  // Parses the JSON object. Wrong types give InvalidArgument naming the key
  // ("tokenizer_config.json: padding_side: expected \"left\" or \"right\", got \"up\"").
  static Result<TokenizerConfig> FromJson(const Json& j);
  static Result<TokenizerConfig> FromFile(const std::string& path);

  // The template source transformers would pick: `name` if given; else "tool_use" when tools are
  // passed and such a template exists; else "default". NotFound when there is none.
  Result<std::string> ChatTemplateSource(std::string_view name = "", bool with_tools = false) const;

  // Variables the special tokens contribute to a chat template (bos_token, eos_token, ...,
  // additional_special_tokens), only for tokens that are set.
  OrderedJson SpecialTokenVariables() const;

  // apply_chat_template(messages, add_generation_prompt, tools, ...) with tokenize=False: renders the
  // chosen template with the special-token variables plus `inputs` (inputs.extra wins on clashes).
  Result<std::string> ApplyChatTemplate(const ChatTemplateInputs& inputs, std::string_view template_name = "") const;
};

// transformers' clean_up_tokenization (applied by decode when clean_up_tokenization_spaces is true):
// " ." -> ".", " ?" -> "?", " !" -> "!", " ," -> ",", " ' " -> "'", " n't", " 'm", " 's", " 've", " 're"
// lose their leading space.
std::string CleanUpTokenizationSpaces(std::string_view text);

}  // namespace mhub::tokenizers
