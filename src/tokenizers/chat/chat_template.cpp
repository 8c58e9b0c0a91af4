// Public face of the chat-template engine: parse once, render many times.
#include "mhub/tokenizers/chat_template.h"

#include "tokenizers/chat/jinja_arena.h"
#include "tokenizers/chat/jinja_ast.h"
#include "tokenizers/chat/jinja_interpreter.h"

namespace mhub::tokenizers {

Result<ChatTemplate> ChatTemplate::Parse(std::string_view source, ChatTemplateLimits limits) {
  if (source.size() > limits.max_output_bytes) {
    return Status::ResourceExhausted("chat template: source larger than " + std::to_string(limits.max_output_bytes) +
                                     " bytes");
  }
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<jinja::Program> program, jinja::ParseProgram(source, limits));
  return ChatTemplate(std::shared_ptr<const jinja::Program>(std::move(program)));
}

const std::string& ChatTemplate::source() const { return program_->source; }

Result<std::string> ChatTemplate::Render(const OrderedJson& vars) const {
  if (!vars.is_object() && !vars.is_null()) {
    return Status::InvalidArgument("chat template variables must be a JSON object, got " +
                                   std::string(vars.type_name()));
  }
  jinja::Env globals;
  // Declared after `globals`, so it breaks the render's reference cycles (and empties every
  // container) before the variables are destroyed.
  jinja::RenderArena arena;
  jinja::InstallGlobals(globals);
  if (vars.is_object()) {
    for (auto it = vars.begin(); it != vars.end(); ++it) {
      auto v = jinja::FromJson(it.value(), program_->limits.max_depth);
      if (!v.ok()) return v.status().WithContext("chat template variable '" + it.key() + "'");
      globals.Set(it.key(), std::move(v).value());
    }
  }
  jinja::Interpreter interpreter(*program_);
  return interpreter.Run(globals);
}

OrderedJson ChatTemplateVariables(const ChatTemplateInputs& inputs) {
  OrderedJson vars = OrderedJson::object();
  vars["messages"] = inputs.messages;
  vars["tools"] = inputs.tools;
  vars["documents"] = inputs.documents;
  vars["add_generation_prompt"] = inputs.add_generation_prompt;
  if (inputs.extra.is_object()) {
    for (auto it = inputs.extra.begin(); it != inputs.extra.end(); ++it) vars[it.key()] = it.value();
  }
  return vars;
}

Result<std::string> ApplyChatTemplate(const ChatTemplate& tmpl, const ChatTemplateInputs& inputs) {
  if (!inputs.extra.is_object() && !inputs.extra.is_null()) {
    return Status::InvalidArgument("chat template extra variables must be a JSON object");
  }
  return tmpl.Render(ChatTemplateVariables(inputs));
}

}  // namespace mhub::tokenizers
