// Fuzzes the chat-template engine: parse arbitrary template text and render it with a fixed
// conversation (system/user/assistant turns, a tool call, tools). Any Status is fine; crashes,
// hangs, sanitizer reports and unbounded memory are bugs. Small limits keep each input fast.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mhub/tokenizers/chat_template.h"

namespace {

const mhub::OrderedJson& Conversation() {
  static const mhub::OrderedJson vars = mhub::OrderedJson::parse(R"({
    "messages": [
      {"role": "system", "content": "You are helpful."},
      {"role": "user", "content": "Hi \"there\" 😀\n"},
      {"role": "assistant", "content": "", "tool_calls": [
        {"type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]},
      {"role": "tool", "content": "{\"ok\": true}"},
      {"role": "assistant", "content": "<think>\nhm\n</think>\n\nDone."}
    ],
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
    "documents": null,
    "add_generation_prompt": true,
    "bos_token": "<s>", "eos_token": "</s>"
  })");
  return vars;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mhub::tokenizers::ChatTemplateLimits limits;
  limits.max_output_bytes = 1 << 20;
  limits.max_steps = 200000;
  limits.max_depth = 64;
  std::string source(reinterpret_cast<const char*>(data), size);
  auto tmpl = mhub::tokenizers::ChatTemplate::Parse(source, limits);
  if (!tmpl.ok()) return 0;
  auto out = tmpl->Render(Conversation());
  (void)out;
  return 0;
}
