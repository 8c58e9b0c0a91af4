// Chat templates: the Jinja subset that Hugging Face chat templates use (tokenizer_config.json
// "chat_template"), rendered the way @huggingface/jinja (transformers.js) renders them:
// trim_blocks and lstrip_blocks on, {%- -%} whitespace control, Python-style string/dict methods,
// filters such as tojson/trim/length, tests such as `is defined`, namespace(), macros, loop.*.
//
// Templates come from untrusted files. Parse and Render never crash and never run unbounded:
// nesting depth, work steps and output size are limited (ChatTemplateLimits); every failure is a
// Status (InvalidArgument naming line and column for syntax and evaluation errors, or for a
// raise_exception() called by the template; ResourceExhausted when a limit is hit).
// A parsed ChatTemplate is immutable; Render may be called from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::tokenizers {

namespace jinja {
struct Program;
}

struct ChatTemplateLimits {
  size_t max_output_bytes = 16u << 20;  // rendered text, and any single string or list built on the way
  size_t max_depth = 200;               // nesting of expressions/statements, macro calls, input JSON
  uint64_t max_steps = 20'000'000;      // evaluation steps (each statement, loop iteration, expression)
};

class ChatTemplate {
 public:
  // Parses `source`. Syntax errors: InvalidArgument "chat template line L, column C: ...".
  static Result<ChatTemplate> Parse(std::string_view source, ChatTemplateLimits limits = {});

  // Renders with the variables in `vars` (a JSON object; key order is kept, so tojson of tool
  // schemas prints keys as given). Globals always present: true/false/none (also True/False/None),
  // range(), namespace(), raise_exception(msg), strftime_now(fmt).
  Result<std::string> Render(const OrderedJson& vars) const;

  const std::string& source() const;

 private:
  explicit ChatTemplate(std::shared_ptr<const jinja::Program> program) : program_(std::move(program)) {}
  std::shared_ptr<const jinja::Program> program_;
};

// What transformers' apply_chat_template passes to the template.
struct ChatTemplateInputs {
  OrderedJson messages = OrderedJson::array();  // [{"role": ..., "content": ...}, ...]
  bool add_generation_prompt = false;
  OrderedJson tools;      // null when none: the template sees `tools` defined as none
  OrderedJson documents;  // null when none
  // Further variables (bos_token, eos_token, date_string, enable_thinking, ...). They override the
  // fields above when they use the same names.
  OrderedJson extra = OrderedJson::object();
};

// The variables ApplyChatTemplate renders with: messages, tools, documents, add_generation_prompt,
// then every key of inputs.extra.
OrderedJson ChatTemplateVariables(const ChatTemplateInputs& inputs);

// Renders `tmpl` with messages, tools, documents, add_generation_prompt and the extra variables.
Result<std::string> ApplyChatTemplate(const ChatTemplate& tmpl, const ChatTemplateInputs& inputs);

}  // namespace mhub::tokenizers
