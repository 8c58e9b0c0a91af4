// TrainingArguments: field table, parsing by field type, __post_init__ validation (training.md §1).
#include "mhub/train/training_args.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace mhub::train {
namespace {

// Calls f(name, member) for every field in declaration order; one list, used by Set and ToDict.
template <typename Args, typename F>
void ForEachField(Args& a, F&& f) {
#define MHUB_TA_FIELD(name) f(#name, a.name)
  MHUB_TA_FIELD(output_dir);
  MHUB_TA_FIELD(overwrite_output_dir);
  MHUB_TA_FIELD(do_eval);
  MHUB_TA_FIELD(eval_strategy);
  MHUB_TA_FIELD(per_device_train_batch_size);
  MHUB_TA_FIELD(per_device_eval_batch_size);
  MHUB_TA_FIELD(gradient_accumulation_steps);
  MHUB_TA_FIELD(eval_delay);
  MHUB_TA_FIELD(learning_rate);
  MHUB_TA_FIELD(weight_decay);
  MHUB_TA_FIELD(adam_beta1);
  MHUB_TA_FIELD(adam_beta2);
  MHUB_TA_FIELD(adam_epsilon);
  MHUB_TA_FIELD(max_grad_norm);
  MHUB_TA_FIELD(num_train_epochs);
  MHUB_TA_FIELD(max_steps);
  MHUB_TA_FIELD(lr_scheduler_type);
  MHUB_TA_FIELD(lr_scheduler_kwargs);
  MHUB_TA_FIELD(warmup_ratio);
  MHUB_TA_FIELD(warmup_steps);
  MHUB_TA_FIELD(logging_strategy);
  MHUB_TA_FIELD(logging_first_step);
  MHUB_TA_FIELD(logging_steps);
  MHUB_TA_FIELD(logging_nan_inf_filter);
  MHUB_TA_FIELD(save_strategy);
  MHUB_TA_FIELD(save_steps);
  MHUB_TA_FIELD(save_total_limit);
  MHUB_TA_FIELD(save_only_model);
  MHUB_TA_FIELD(use_cpu);
  MHUB_TA_FIELD(seed);
  MHUB_TA_FIELD(data_seed);
  MHUB_TA_FIELD(bf16);
  MHUB_TA_FIELD(fp16);
  MHUB_TA_FIELD(eval_steps);
  MHUB_TA_FIELD(eval_on_start);
  MHUB_TA_FIELD(dataloader_drop_last);
  MHUB_TA_FIELD(dataloader_num_workers);
  MHUB_TA_FIELD(disable_tqdm);
  MHUB_TA_FIELD(remove_unused_columns);
  MHUB_TA_FIELD(label_names);
  MHUB_TA_FIELD(load_best_model_at_end);
  MHUB_TA_FIELD(metric_for_best_model);
  MHUB_TA_FIELD(greater_is_better);
  MHUB_TA_FIELD(ignore_data_skip);
  MHUB_TA_FIELD(label_smoothing_factor);
  MHUB_TA_FIELD(optim);
  MHUB_TA_FIELD(group_by_length);
  MHUB_TA_FIELD(train_sampling_strategy);
  MHUB_TA_FIELD(length_column_name);
  MHUB_TA_FIELD(report_to);
  MHUB_TA_FIELD(resume_from_checkpoint);
  MHUB_TA_FIELD(gradient_checkpointing);
  MHUB_TA_FIELD(push_to_hub);
  MHUB_TA_FIELD(hub_model_id);
  MHUB_TA_FIELD(hub_strategy);
  MHUB_TA_FIELD(hub_token);
  MHUB_TA_FIELD(hub_private_repo);
  MHUB_TA_FIELD(hub_always_push);
  MHUB_TA_FIELD(hub_revision);
  MHUB_TA_FIELD(average_tokens_across_devices);
#undef MHUB_TA_FIELD
}

Status Bad(const std::string& name, const std::string& what) {
  return Status::InvalidArgument("TrainingArguments." + name + ": " + what);
}

// Scalars arrive typed (JSON) or as strings (flags, YAML); each parser accepts both.
Status Parse(const std::string& name, const Json& v, bool& out) {
  if (v.is_boolean()) return out = v.get<bool>(), Status::OK();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "1" || s == "yes") return out = true, Status::OK();
    if (s == "false" || s == "0" || s == "no") return out = false, Status::OK();
  }
  return Bad(name, "expected a boolean, got " + DumpJson(v));
}
Status Parse(const std::string& name, const Json& v, double& out) {
  if (v.is_number()) return out = v.get<double>(), Status::OK();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d)) return out = d, Status::OK();
  }
  return Bad(name, "expected a number, got " + DumpJson(v));
}
Status Parse(const std::string& name, const Json& v, int64_t& out) {
  double d = 0;
  if (v.is_number_integer()) return out = v.get<int64_t>(), Status::OK();
  if (Parse(name, v, d).ok() && d == std::floor(d) && std::fabs(d) < 9e15) return out = int64_t(d), Status::OK();
  return Bad(name, "expected an integer, got " + DumpJson(v));
}
Status Parse(const std::string& name, const Json& v, std::string& out) {
  if (v.is_string()) return out = v.get<std::string>(), Status::OK();
  if (v.is_number() || v.is_boolean()) return out = DumpJson(v), Status::OK();
  return Bad(name, "expected a string, got " + DumpJson(v));
}
Status Parse(const std::string& name, const Json& v, Json& out) {
  if (v.is_object()) return out = v, Status::OK();
  if (v.is_string()) {  // lr_scheduler_kwargs may be a JSON string (HF accepts both)
    auto parsed = ParseJson(v.get<std::string>(), name);
    if (parsed.ok() && parsed->is_object()) return out = *parsed, Status::OK();
  }
  return Bad(name, "expected an object or a JSON string of one, got " + DumpJson(v));
}
Status Parse(const std::string& name, const Json& v, std::vector<std::string>& out) {
  out.clear();
  if (v.is_string()) {  // "a,b" or one name, as the CLI passes lists
    std::string s = v.get<std::string>(), cur;
    for (char c : s + ",") {
      if (c == ',' || c == ' ') {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    return Status::OK();
  }
  if (!v.is_array()) return Bad(name, "expected a list of strings, got " + DumpJson(v));
  for (const auto& e : v) {
    if (!e.is_string()) return Bad(name, "expected a list of strings, got " + DumpJson(v));
    out.push_back(e.get<std::string>());
  }
  return Status::OK();
}
template <typename T>
Status Parse(const std::string& name, const Json& v, std::optional<T>& out) {
  if (v.is_null() || (v.is_string() && (v.get<std::string>() == "None" || v.get<std::string>() == "null"))) {
    out.reset();
    return Status::OK();
  }
  T value{};
  MHUB_RETURN_IF_ERROR(Parse(name, v, value));
  out = std::move(value);
  return Status::OK();
}

template <typename T>
Json ToJsonValue(const T& v) {
  return Json(v);
}
template <typename T>
Json ToJsonValue(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

bool IsIntegral(double x) { return x == std::floor(x); }

Status CheckOneOf(const std::string& name, const std::string& value, std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return Status::OK();
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return Bad(name, "'" + value + "' is not one of " + list);
}

Json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = YamlToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& e : node) out.push_back(YamlToJson(e));
      return out;
    }
    case YAML::NodeType::Scalar: {
      // Plain scalars resolve as YAML 1.1 core types (None, bool, int, float), quoted ones stay
      // strings; the field parsers accept either form.
      const std::string s = node.Scalar();
      if (node.Tag() != "?") return s;
      if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
      char* end = nullptr;
      const long long i = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && end == s.c_str() + s.size()) return int64_t(i);
      const double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d)) return d;
      return s;
    }
    default:
      return nullptr;
  }
}

}  // namespace

Status TrainingArguments::Set(const std::string& name, const Json& value) {
  Status st = Status::NotFound("");
  ForEachField(*this, [&](const char* field, auto& member) {
    if (st.code() == StatusCode::kNotFound && name == field) st = Parse(name, value, member);
  });
  if (name == "evaluation_strategy")
    return Status::InvalidArgument("TrainingArguments: evaluation_strategy was renamed eval_strategy");
  if (st.code() == StatusCode::kNotFound)
    return Status::InvalidArgument("TrainingArguments has no field '" + name + "'");
  return st;
}

Status TrainingArguments::Validate() {
  MHUB_RETURN_IF_ERROR(CheckOneOf("eval_strategy", eval_strategy, {"no", "steps", "epoch"}));
  MHUB_RETURN_IF_ERROR(CheckOneOf("save_strategy", save_strategy, {"no", "steps", "epoch", "best"}));
  MHUB_RETURN_IF_ERROR(CheckOneOf("logging_strategy", logging_strategy, {"no", "steps", "epoch"}));
  MHUB_RETURN_IF_ERROR(
      CheckOneOf("hub_strategy", hub_strategy, {"end", "every_save", "checkpoint", "all_checkpoints"}));
  MHUB_RETURN_IF_ERROR(CheckOneOf("optim", optim, {"adamw_torch", "adamw_torch_fused", "sgd"}));
  MHUB_RETURN_IF_ERROR(CheckOneOf(
      "lr_scheduler_type", lr_scheduler_type,
      {"linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt",
       "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay"}));
  MHUB_RETURN_IF_ERROR(
      CheckOneOf("train_sampling_strategy", train_sampling_strategy, {"random", "sequential", "group_by_length"}));
  if (group_by_length) train_sampling_strategy = "group_by_length";
  if (report_to.size() == 1 && (report_to[0] == "none" || report_to[0] == "None")) report_to.clear();
  if (!report_to.empty())
    return Bad("report_to", "no reporting integration is available (TensorBoard-free); use \"none\"");
  if (per_device_train_batch_size < 1 || per_device_eval_batch_size < 1)
    return Bad("per_device_train_batch_size", "batch sizes must be >= 1");
  if (gradient_accumulation_steps < 1) return Bad("gradient_accumulation_steps", "must be >= 1");

  if (eval_strategy != "no") do_eval = true;
  // eval_steps defaults to logging_steps for the steps strategy.
  if (eval_strategy == "steps" && (!eval_steps || *eval_steps == 0)) {
    if (logging_steps > 0) {
      eval_steps = logging_steps;
    } else {
      return Bad("eval_steps", "evaluation strategy steps requires either a non-zero --eval_steps or --logging_steps");
    }
  }
  if (logging_strategy == "steps" && logging_steps == 0)
    return Bad("logging_steps", "logging strategy steps requires non-zero --logging_steps");
  if (logging_strategy == "steps" && logging_steps > 1 && !IsIntegral(logging_steps))
    return Bad("logging_steps",
               "--logging_steps must be an integer if bigger than 1: " + std::to_string(logging_steps));
  if (eval_strategy == "steps" && *eval_steps > 1 && !IsIntegral(*eval_steps))
    return Bad("eval_steps", "--eval_steps must be an integer if bigger than 1");
  if (save_strategy == "steps" && save_steps > 1 && !IsIntegral(save_steps))
    return Bad("save_steps", "--save_steps must be an integer if bigger than 1");
  if (save_strategy == "steps" && save_steps <= 0) return Bad("save_steps", "must be > 0 with save_strategy steps");

  if (load_best_model_at_end && save_strategy != "best") {
    if (eval_strategy != save_strategy)
      return Bad("load_best_model_at_end",
                 "requires the save and eval strategy to match, but found\n- Evaluation strategy: " + eval_strategy +
                     "\n- Save strategy: " + save_strategy);
    if (eval_strategy == "steps") {
      const double e = *eval_steps, s = save_steps;
      if ((e < 1) != (s < 1))
        return Bad("load_best_model_at_end",
                   "requires the saving steps to be a multiple of the evaluation steps, which cannot get "
                   "guaranteed when mixing ratio and absolute steps");
      const bool multiple = e < 1 ? std::fabs(std::remainder(s, e)) < 1e-12 : std::fmod(s, e) == 0;
      if (!multiple)
        return Bad("load_best_model_at_end",
                   "requires the saving steps to be a multiple of the evaluation steps, "
                   "but found " +
                       std::to_string(int64_t(s)) + ", which is not a multiple of " + std::to_string(int64_t(e)));
    }
  }
  if (!metric_for_best_model && (load_best_model_at_end || lr_scheduler_type == "reduce_lr_on_plateau"))
    metric_for_best_model = "loss";
  if (save_strategy == "best" && !metric_for_best_model)
    return Bad("metric_for_best_model", "must be provided when using the 'best' save_strategy");
  if (!greater_is_better && metric_for_best_model) {
    const std::string& m = *metric_for_best_model;
    greater_is_better = !(m.size() >= 4 && m.compare(m.size() - 4, 4, "loss") == 0);
  }
  if (fp16 && bf16) return Bad("bf16", "At most one of fp16 and bf16 can be True, but not both");
  if (fp16) return Bad("fp16", "fp16 mixed precision is not supported on CPU; use bf16");
  if (lr_scheduler_type == "reduce_lr_on_plateau" && eval_strategy == "no")
    return Bad("lr_scheduler_type", "lr_scheduler_type reduce_lr_on_plateau requires an eval strategy");
  if (warmup_steps < 0) return Bad("warmup_steps", "warmup_steps must be an integer or a float");
  if (warmup_steps > 1 && !IsIntegral(warmup_steps)) return Bad("warmup_steps", "must be an integer when >= 1");
  if (warmup_ratio < 0 || warmup_ratio > 1) return Bad("warmup_ratio", "warmup_ratio must lie in range [0,1]");
  if (warmup_ratio > 0 && warmup_steps == 0) {  // v5 copies the deprecated ratio into warmup_steps
    warmup_steps = warmup_ratio < 1 ? warmup_ratio : 1.0;
  }
  if (label_smoothing_factor < 0 || label_smoothing_factor >= 1)
    return Bad("label_smoothing_factor", "must lie in [0, 1)");
  if (max_grad_norm < 0) return Bad("max_grad_norm", "must be >= 0");
  if (save_total_limit && *save_total_limit < 0) return Bad("save_total_limit", "must be >= 0");
  if (output_dir.empty()) output_dir = "trainer_output";
  return Status::OK();
}

int64_t TrainingArguments::GetWarmupSteps(int64_t max_steps) const {
  if (warmup_steps >= 1) return int64_t(warmup_steps);
  return int64_t(std::ceil(double(max_steps) * warmup_steps));
}

int64_t TrainingArguments::ResolveSteps(double steps, int64_t max_steps) {
  if (steps < 1) return int64_t(std::ceil(double(max_steps) * steps));
  return int64_t(steps);
}

OrderedJson TrainingArguments::ToDict() const {
  OrderedJson out = OrderedJson::object();
  ForEachField(*this, [&](const char* name, const auto& member) {
    std::string key = name;
    if (key.size() > 6 && key.compare(key.size() - 6, 6, "_token") == 0) {
      std::string upper = key;
      std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
      out[key] = "<" + upper + ">";
      return;
    }
    out[key] = OrderedJson::parse(ToJsonValue(member).dump());
  });
  return out;
}

Result<TrainingArguments> TrainingArgumentsFromJson(const Json& object) {
  if (!object.is_object()) return Status::InvalidArgument("training arguments: expected a JSON object");
  TrainingArguments args;
  for (const auto& [k, v] : object.items()) MHUB_RETURN_IF_ERROR(args.Set(k, v));
  MHUB_RETURN_IF_ERROR(args.Validate());
  return args;
}

Result<TrainingArguments> TrainingArgumentsFromYaml(const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("training arguments YAML: ") + e.what());
  }
  if (!root.IsMap()) return Status::InvalidArgument("training arguments YAML: expected a mapping at the top");
  Json object;
  try {
    object = YamlToJson(root);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("training arguments YAML: ") + e.what());
  }
  return TrainingArgumentsFromJson(object);
}

Result<TrainingArguments> TrainingArgumentsFromFlags(const std::vector<std::string>& flags, TrainingArguments base) {
  TrainingArguments args = std::move(base);
  for (size_t i = 0; i < flags.size(); ++i) {
    const std::string& f = flags[i];
    if (f.rfind("--", 0) != 0) return Status::InvalidArgument("training arguments: unexpected argument '" + f + "'");
    std::string name = f.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    } else if (i + 1 < flags.size() && flags[i + 1].rfind("--", 0) != 0) {
      value = flags[++i];
      has_value = true;
    }
    std::replace(name.begin(), name.end(), '-', '_');
    if (!has_value) value = "true";  // a bare boolean flag
    MHUB_RETURN_IF_ERROR(args.Set(name, Json(value)));
  }
  MHUB_RETURN_IF_ERROR(args.Validate());
  return args;
}

}  // namespace mhub::train
