// adapter_config.json <-> LoraConfig, in PEFT's field names and defaults.
#include <cmath>

#include "mhub/train/lora.h"

namespace mhub::train {

double LoraConfig::scaling() const { return use_rslora ? lora_alpha / std::sqrt(double(r)) : lora_alpha / double(r); }

std::string PeftTaskType(models::Task task) {
  switch (task) {
    case models::Task::kSequenceClassification:
      return "SEQ_CLS";
    case models::Task::kTokenClassification:
      return "TOKEN_CLS";
    case models::Task::kQuestionAnswering:
      return "QUESTION_ANS";
    case models::Task::kCausalLM:
      return "CAUSAL_LM";
    case models::Task::kBase:
      return "FEATURE_EXTRACTION";
    default:
      return "";
  }
}

Json LoraConfigToJson(const LoraConfig& c) {
  Json j = {{"alpha_pattern", Json::object()},
            {"auto_mapping", nullptr},
            {"base_model_name_or_path", c.base_model_name_or_path},
            {"bias", c.bias},
            {"fan_in_fan_out", c.fan_in_fan_out},
            {"inference_mode", true},
            {"init_lora_weights", c.init_lora_weights},
            {"layers_pattern", nullptr},
            {"layers_to_transform", nullptr},
            {"lora_alpha", c.lora_alpha},
            {"lora_dropout", c.lora_dropout},
            {"modules_to_save", c.modules_to_save.empty() ? Json(nullptr) : Json(c.modules_to_save)},
            {"peft_type", "LORA"},
            {"r", c.r},
            {"rank_pattern", Json::object()},
            {"revision", nullptr},
            {"target_modules", c.target_modules},
            {"task_type", c.task_type.empty() ? Json(nullptr) : Json(c.task_type)},
            {"use_dora", false},
            {"use_rslora", c.use_rslora}};
  // PEFT writes integral alphas as ints (lora_alpha: int = 8).
  if (c.lora_alpha == std::floor(c.lora_alpha)) j["lora_alpha"] = int64_t(c.lora_alpha);
  return j;
}

Result<LoraConfig> LoraConfigFromJson(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("adapter_config.json: not a JSON object");
  LoraConfig c;
  try {  // nlohmann throws on a field of the wrong type: every read stays inside
    if (j.contains("peft_type") && j["peft_type"] != "LORA")
      return Status::Unsupported("adapter_config.json: peft_type " + j["peft_type"].dump() + " (only LORA)");
    c.r = j.value("r", int64_t(8));
    c.lora_alpha = j.value("lora_alpha", 8.0);
    c.lora_dropout = j.value("lora_dropout", 0.0);
    c.bias = j.value("bias", std::string("none"));
    c.fan_in_fan_out = j.value("fan_in_fan_out", false);
    c.use_rslora = j.value("use_rslora", false);
    c.init_lora_weights =
        !j.contains("init_lora_weights") || !j["init_lora_weights"].is_boolean() || j["init_lora_weights"].get<bool>();
    if (j.contains("base_model_name_or_path") && j["base_model_name_or_path"].is_string())
      c.base_model_name_or_path = j["base_model_name_or_path"].get<std::string>();
    if (j.contains("task_type") && j["task_type"].is_string()) c.task_type = j["task_type"].get<std::string>();
    if (!j.contains("target_modules")) return Status::InvalidArgument("adapter_config.json: no target_modules");
    if (j["target_modules"].is_string())  // PEFT also takes one regex string; only plain names here
      c.target_modules = {j["target_modules"].get<std::string>()};
    else
      c.target_modules = j["target_modules"].get<std::vector<std::string>>();
    if (j.contains("modules_to_save") && j["modules_to_save"].is_array())
      c.modules_to_save = j["modules_to_save"].get<std::vector<std::string>>();
    if (j.value("use_dora", false)) return Status::Unsupported("adapter_config.json: use_dora");
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("adapter_config.json: ") + e.what());
  }
  if (c.r <= 0) return Status::InvalidArgument("adapter_config.json: r must be > 0");
  return c;
}

}  // namespace mhub::train
