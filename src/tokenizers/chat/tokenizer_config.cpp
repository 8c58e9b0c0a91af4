// tokenizer_config.json parsing and apply_chat_template (see tokenizer_config.h).
#include "mhub/tokenizers/tokenizer_config.h"

#include <cmath>

namespace mhub::tokenizers {

namespace {

constexpr std::string_view kWhere = "tokenizer_config.json: ";

Status Bad(std::string_view key, const std::string& what) {
  return Status::InvalidArgument(std::string(kWhere) + std::string(key) + ": " + what);
}

// A special token in string form or AddedToken dict form ({"content": ..., ...}); nullopt for null.
Result<std::optional<std::string>> TokenValue(const Json& v, std::string_view key) {
  if (v.is_null()) return std::optional<std::string>();
  if (v.is_string()) return std::optional<std::string>(v.get<std::string>());
  if (v.is_object()) {
    auto it = v.find("content");
    if (it != v.end() && it->is_string()) return std::optional<std::string>(it->get<std::string>());
    return Bad(key, "AddedToken object without a string \"content\"");
  }
  return Bad(key, "expected a string or an AddedToken object, got " + JsonTypeName(v));
}

Result<std::optional<bool>> OptionalBool(const Json& j, std::string_view key) {
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return Bad(key, "expected boolean, got " + JsonTypeName(*it));
  return std::optional<bool>(it->get<bool>());
}

Result<std::string> Side(const Json& j, std::string_view key) {
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) return std::string("right");
  if (!it->is_string() || (*it != "left" && *it != "right")) {
    return Bad(key, "expected \"left\" or \"right\", got " + DumpJson(*it));
  }
  return it->get<std::string>();
}

}  // namespace

Result<TokenizerConfig> TokenizerConfig::FromJson(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument(std::string(kWhere) + "expected a JSON object");
  TokenizerConfig c;
  if (auto it = j.find("tokenizer_class"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return Bad("tokenizer_class", "expected string, got " + JsonTypeName(*it));
    c.tokenizer_class = it->get<std::string>();
  }
  if (auto it = j.find("model_max_length"); it != j.end() && !it->is_null()) {
    if (it->is_number_integer()) {
      c.model_max_length = it->get<int64_t>();
    } else if (it->is_number_unsigned() || it->is_number_float()) {
      double d = it->get<double>();
      if (std::isnan(d)) return Bad("model_max_length", "not a number");
      c.model_max_length = d >= 9.2e18 ? kNoMaxLength : static_cast<int64_t>(d);
    } else {
      return Bad("model_max_length", "expected a number, got " + JsonTypeName(*it));
    }
  }
  MHUB_ASSIGN_OR_RETURN(c.padding_side, Side(j, "padding_side"));
  MHUB_ASSIGN_OR_RETURN(c.truncation_side, Side(j, "truncation_side"));
  struct Slot {
    const char* key;
    std::optional<std::string>* dst;
  };
  for (Slot s : {Slot{"bos_token", &c.bos_token}, Slot{"eos_token", &c.eos_token}, Slot{"unk_token", &c.unk_token},
                 Slot{"pad_token", &c.pad_token}, Slot{"sep_token", &c.sep_token}, Slot{"cls_token", &c.cls_token},
                 Slot{"mask_token", &c.mask_token}}) {
    auto it = j.find(s.key);
    if (it == j.end()) continue;
    MHUB_ASSIGN_OR_RETURN(*s.dst, TokenValue(*it, s.key));
  }
  if (auto it = j.find("additional_special_tokens"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("additional_special_tokens", "expected array, got " + JsonTypeName(*it));
    for (size_t k = 0; k < it->size(); ++k) {
      std::string key = "additional_special_tokens[" + std::to_string(k) + "]";
      MHUB_ASSIGN_OR_RETURN(std::optional<std::string> t, TokenValue((*it)[k], key));
      if (!t) return Bad(key, "must not be null");
      c.additional_special_tokens.push_back(*t);
    }
  }
  MHUB_ASSIGN_OR_RETURN(c.add_bos_token, OptionalBool(j, "add_bos_token"));
  MHUB_ASSIGN_OR_RETURN(c.add_eos_token, OptionalBool(j, "add_eos_token"));
  MHUB_ASSIGN_OR_RETURN(c.clean_up_tokenization_spaces, OptionalBool(j, "clean_up_tokenization_spaces"));
  MHUB_ASSIGN_OR_RETURN(std::optional<bool> split, OptionalBool(j, "split_special_tokens"));
  c.split_special_tokens = split.value_or(false);
  if (auto it = j.find("chat_template"); it != j.end() && !it->is_null()) {
    if (it->is_string()) {
      c.chat_templates["default"] = it->get<std::string>();
    } else if (it->is_array()) {
      for (size_t k = 0; k < it->size(); ++k) {
        const Json& e = (*it)[k];
        std::string key = "chat_template[" + std::to_string(k) + "]";
        if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("template") ||
            !e["template"].is_string()) {
          return Bad(key, "expected {\"name\": string, \"template\": string}");
        }
        c.chat_templates[e["name"].get<std::string>()] = e["template"].get<std::string>();
      }
    } else {
      return Bad("chat_template", "expected a string or a list of {name, template}, got " + JsonTypeName(*it));
    }
  }
  return c;
}

Result<TokenizerConfig> TokenizerConfig::FromFile(const std::string& path) {
  MHUB_ASSIGN_OR_RETURN(Json j, ReadJsonFile(path));
  auto c = FromJson(j);
  if (!c.ok()) return c.status().WithContext(path);
  return c;
}

Result<std::string> TokenizerConfig::ChatTemplateSource(std::string_view name, bool with_tools) const {
  if (!name.empty()) {
    auto it = chat_templates.find(std::string(name));
    if (it == chat_templates.end()) {
      return Status::NotFound(std::string(kWhere) + "no chat template named '" + std::string(name) + "'");
    }
    return it->second;
  }
  if (with_tools) {
    if (auto it = chat_templates.find("tool_use"); it != chat_templates.end()) return it->second;
  }
  if (auto it = chat_templates.find("default"); it != chat_templates.end()) return it->second;
  return Status::NotFound(std::string(kWhere) + "the tokenizer has no chat template");
}

OrderedJson TokenizerConfig::SpecialTokenVariables() const {
  OrderedJson vars = OrderedJson::object();
  struct Slot {
    const char* key;
    const std::optional<std::string>* value;
  };
  for (Slot s : {Slot{"bos_token", &bos_token}, Slot{"eos_token", &eos_token}, Slot{"unk_token", &unk_token},
                 Slot{"sep_token", &sep_token}, Slot{"pad_token", &pad_token}, Slot{"cls_token", &cls_token},
                 Slot{"mask_token", &mask_token}}) {
    if (*s.value) vars[s.key] = **s.value;
  }
  if (!additional_special_tokens.empty()) vars["additional_special_tokens"] = additional_special_tokens;
  return vars;
}

Result<std::string> TokenizerConfig::ApplyChatTemplate(const ChatTemplateInputs& inputs,
                                                       std::string_view template_name) const {
  const bool with_tools = !inputs.tools.is_null() && !(inputs.tools.is_array() && inputs.tools.empty());
  MHUB_ASSIGN_OR_RETURN(std::string source, ChatTemplateSource(template_name, with_tools));
  MHUB_ASSIGN_OR_RETURN(ChatTemplate tmpl, ChatTemplate::Parse(source));
  ChatTemplateInputs with_tokens = inputs;
  OrderedJson extra = SpecialTokenVariables();
  if (inputs.extra.is_object()) {
    for (auto it = inputs.extra.begin(); it != inputs.extra.end(); ++it) extra[it.key()] = it.value();
  }
  with_tokens.extra = std::move(extra);
  return tokenizers::ApplyChatTemplate(tmpl, with_tokens);
}

std::string CleanUpTokenizationSpaces(std::string_view text) {
  static constexpr std::string_view kRules[][2] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  std::string out(text);
  for (const auto& rule : kRules) {
    std::string next;
    size_t pos = 0;
    for (size_t hit = out.find(rule[0]); hit != std::string::npos; hit = out.find(rule[0], pos)) {
      next.append(out, pos, hit - pos);
      next += rule[1];
      pos = hit + rule[0].size();
    }
    next.append(out, pos, std::string::npos);
    out = std::move(next);
  }
  return out;
}

}  // namespace mhub::tokenizers
