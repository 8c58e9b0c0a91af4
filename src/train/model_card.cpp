// create_model_card (transformers modelcard.py TrainingSummary): YAML metadata, body, hyperparameters,
// results table parsed from log_history as parse_log_history does.
#include "mhub/train/model_card.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <vector>

#include "mhub/models/pipeline_tag.h"

namespace mhub::train {
namespace {

const std::set<std::string>& MetricTags() {
  static const std::set<std::string> k = {"accuracy",  "bleu",      "f1",     "matthews_correlation",
                                          "pearsonr",  "precision", "recall", "rouge",
                                          "sacrebleu", "spearmanr"};
  return k;
}

std::string TaskName(const std::string& tag) {
  if (tag == "text-classification") return "Text Classification";
  if (tag == "token-classification") return "Token Classification";
  if (tag == "fill-mask") return "Masked Language Modeling";
  if (tag == "text-generation") return "Causal Language Modeling";
  if (tag == "question-answering") return "Question Answering";
  return tag;
}

// "overall_f1" -> "Overall F1" (Python str.capitalize per underscore part).
std::string Title(const std::string& key) {
  std::string out, part;
  auto flush = [&] {
    if (part.empty()) return;
    if (!out.empty()) out += " ";
    out += char(std::toupper(static_cast<unsigned char>(part[0])));
    for (size_t i = 1; i < part.size(); ++i) out += char(std::tolower(static_cast<unsigned char>(part[i])));
    part.clear();
  };
  for (char c : key) {
    if (c == '_')
      flush();
    else
      part += c;
  }
  flush();
  return out;
}

std::string Str(const Json& v) {
  if (v.is_number_float()) return PyFloat(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// _maybe_round: floats with more than 4 decimals printed with 4.
std::string MaybeRound(const Json& v) {
  std::string s = Str(v);
  if (v.is_number_float()) {
    auto dot = s.find('.');
    if (dot != std::string::npos && s.find('e') == std::string::npos && s.size() - dot - 1 > 4) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.4f", v.get<double>());
      return buf;
    }
  }
  return s;
}

// A YAML scalar: plain when safe, else double-quoted JSON (valid YAML).
std::string Yq(const std::string& s) {
  bool plain = !s.empty() && s.find_first_of(":#{}[],&*!|>'\"%@`\n") == std::string::npos && s[0] != '-' &&
               s[0] != ' ' && s.back() != ' ' && s != "true" && s != "false" && s != "null" && s != "yes" && s != "no";
  if (plain) {
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size()) plain = false;  // would read back as a number
  }
  return plain ? s : Json(s).dump();
}

}  // namespace

std::string PyFloat(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::fabs(v) < 1e16) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.1f", v);
    return buf;
  }
  char buf[64];
  for (int p = 1; p <= 17; ++p) {  // shortest round-trip repr
    std::snprintf(buf, sizeof(buf), "%.*g", p, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find('e') == std::string::npos && s.find('.') == std::string::npos) s += ".0";
  return s;
}

Result<std::string> CreateModelCard(const ModelCardInput& in) {
  const TrainingArguments& a = in.args;
  const Json& info = in.info;
  std::string model_name = info.value("model_name", std::string());
  if (model_name.empty()) {
    model_name = a.hub_model_id.empty() ? std::filesystem::path(a.output_dir).filename().string() : a.hub_model_id;
    if (auto slash = model_name.rfind('/'); slash != std::string::npos) model_name = model_name.substr(slash + 1);
  }
  const std::string base = info.value("finetuned_from", std::string());
  const std::string task = info.value("tasks", std::string(models::PipelineTagFor(in.task)));
  const std::string dataset = info.value("dataset", std::string());
  const std::string dataset_tag = info.value("dataset_tags", dataset);

  // parse_log_history.
  const Json& h = in.log_history;
  size_t idx = 0;
  while (idx < h.size() && !h[idx].contains("train_runtime")) ++idx;
  std::vector<std::vector<std::pair<std::string, Json>>> lines;
  Json training_loss = "No log";
  for (size_t i = 0; i < idx && i < h.size(); ++i) {
    if (h[i].contains("loss")) training_loss = h[i]["loss"];
    if (!h[i].contains("eval_loss")) continue;
    std::vector<std::pair<std::string, Json>> row = {
        {"Training Loss", training_loss}, {"Epoch", h[i].value("epoch", Json())}, {"Step", h[i].value("step", Json())}};
    row.push_back({"Validation Loss", h[i]["eval_loss"]});
    for (auto& [k, v] : h[i].items()) {
      if (k == "eval_loss" || k == "epoch" || k == "step" || k == "total_flos" || k == "eval_runtime" ||
          k == "eval_samples_per_second" || k == "eval_steps_per_second" || k == "eval_jit_compilation_time")
        continue;
      row.push_back({Title(k.rfind("eval_", 0) == 0 ? k.substr(5) : k), v});
    }
    lines.push_back(std::move(row));
  }
  std::vector<std::pair<std::string, Json>> eval_results;
  for (size_t i = h.size(); i-- > 0;) {
    if (!h[i].contains("eval_loss")) continue;
    if (i == 0) break;  // transformers' `if idx > 0`
    for (auto& [k0, v] : h[i].items()) {
      const std::string k = k0.rfind("eval_", 0) == 0 ? k0.substr(5) : k0;
      if (k == "runtime" || k == "samples_per_second" || k == "steps_per_second" || k == "epoch" || k == "step")
        continue;
      eval_results.push_back({Title(k), v});
    }
    // "Loss" first, as the Trainer logs eval_loss first.
    std::stable_partition(eval_results.begin(), eval_results.end(), [](auto& kv) { return kv.first == "Loss"; });
    break;
  }

  // YAML metadata.
  // PEFT adapters are cards of library "peft" (PeftModel.create_or_update_model_card).
  const std::string library = info.contains("library_name") ? Str(info["library_name"]) : "transformers";
  std::string y = "---\nlibrary_name: " + Yq(library) + "\n";
  if (info.contains("language")) y += "language:\n- " + Yq(Str(info["language"])) + "\n";
  if (info.contains("license")) y += "license: " + Yq(Str(info["license"])) + "\n";
  if (!base.empty()) y += "base_model: " + Yq(base) + "\n";
  y += "tags:\n- generated_from_trainer\n";
  if (info.contains("tags") && info["tags"].is_array())
    for (const auto& t : info["tags"])
      if (t.is_string() && t.get<std::string>() != "generated_from_trainer")
        y += "- " + Yq(t.get<std::string>()) + "\n";
  if (!dataset_tag.empty()) y += "datasets:\n- " + Yq(dataset_tag) + "\n";
  std::vector<std::pair<std::string, std::string>> metric_map;  // tag -> result key
  for (auto& [k, v] : eval_results) {
    std::string tag;
    for (char c : k) tag += c == ' ' ? '_' : char(std::tolower(static_cast<unsigned char>(c)));
    if (MetricTags().count(tag)) metric_map.push_back({tag, k});
  }
  if (!metric_map.empty()) {
    y += "metrics:\n";
    for (auto& [tag, k] : metric_map) y += "- " + tag + "\n";
  }
  y += "model-index:\n- name: " + Yq(model_name) + "\n";
  if (task.empty() || dataset_tag.empty() || metric_map.empty()) {
    y += "  results: []\n";
  } else {
    y += "  results:\n  - task:\n      name: " + Yq(TaskName(task)) + "\n      type: " + Yq(task) + "\n";
    y += "    dataset:\n      name: " + Yq(dataset.empty() ? dataset_tag : dataset) +
         "\n      type: " + Yq(dataset_tag) + "\n";
    if (info.contains("dataset_config")) y += "      config: " + Yq(Str(info["dataset_config"])) + "\n";
    if (info.contains("dataset_split")) y += "      split: " + Yq(Str(info["dataset_split"])) + "\n";
    if (info.contains("dataset_args")) y += "      args: " + Yq(Str(info["dataset_args"])) + "\n";
    y += "    metrics:\n";
    for (auto& [tag, k] : metric_map)
      for (auto& [rk, rv] : eval_results)
        if (rk == k) y += "    - name: " + Yq(k) + "\n      type: " + tag + "\n      value: " + Str(rv) + "\n";
  }
  y += "---\n\n";

  std::string b =
      "<!-- This model card has been generated automatically according to the information the Trainer had access to. "
      "You\nshould probably proofread and complete it, then remove this comment. -->\n\n# " +
      model_name + "\n\n";
  if (base.empty()) {
    b += "This model was trained from scratch on ";
  } else {
    b += "This model is a fine-tuned version of [" + base + "](https://huggingface.co/" + base + ") on ";
  }
  b += dataset.empty() ? "an unknown dataset.\n" : "the " + dataset + " dataset.\n";
  if (!eval_results.empty()) {
    b += "It achieves the following results on the evaluation set:\n";
    for (auto& [k, v] : eval_results) b += "- " + k + ": " + MaybeRound(v) + "\n";
  }
  b += "\n## Model description\n\nMore information needed\n\n## Intended uses & limitations\n\nMore information "
       "needed\n\n## Training and evaluation data\n\nMore information needed\n\n## Training procedure\n\n";
  b += "### Training hyperparameters\n\nThe following hyperparameters were used during training:\n";
  b += "- learning_rate: " + PyFloat(a.learning_rate) + "\n";
  b += "- train_batch_size: " + std::to_string(a.per_device_train_batch_size) + "\n";
  b += "- eval_batch_size: " + std::to_string(a.per_device_eval_batch_size) + "\n";
  b += "- seed: " + std::to_string(a.seed) + "\n";
  if (a.gradient_accumulation_steps > 1) {
    b += "- gradient_accumulation_steps: " + std::to_string(a.gradient_accumulation_steps) + "\n";
    b += "- total_train_batch_size: " + std::to_string(a.per_device_train_batch_size * a.gradient_accumulation_steps) +
         "\n";
  }
  if (a.optim == "sgd") {
    b += "- optimizer: Use sgd and the args are:\nNo additional optimizer arguments\n";
  } else {
    b += "- optimizer: Use " + a.optim + " with betas=(" + PyFloat(a.adam_beta1) + "," + PyFloat(a.adam_beta2) +
         ") and epsilon=" + PyFloat(a.adam_epsilon) + " and optimizer_args=No additional optimizer arguments\n";
  }
  b += "- lr_scheduler_type: " + a.lr_scheduler_type + "\n";
  if (a.warmup_ratio != 0) b += "- lr_scheduler_warmup_ratio: " + PyFloat(a.warmup_ratio) + "\n";
  if (a.warmup_steps != 0 && a.warmup_ratio == 0)
    b += "- lr_scheduler_warmup_steps: " +
         (a.warmup_steps >= 1 ? std::to_string(int64_t(a.warmup_steps)) : PyFloat(a.warmup_steps)) + "\n";
  if (a.max_steps > 0)
    b += "- training_steps: " + std::to_string(a.max_steps) + "\n";
  else
    b += "- num_epochs: " + PyFloat(a.num_train_epochs) + "\n";
  if (a.bf16) b += "- mixed_precision_training: bf16 (fp32 master weights)\n";
  if (a.label_smoothing_factor != 0) b += "- label_smoothing_factor: " + PyFloat(a.label_smoothing_factor) + "\n";

  b += "\n### Training results\n\n";
  if (!lines.empty()) {
    // make_markdown_table: columns from the first row, widths from header and values.
    std::vector<std::string> cols;
    for (auto& [k, v] : lines[0]) cols.push_back(k);
    std::vector<size_t> widths;
    for (auto& c : cols) widths.push_back(c.size());
    auto cell = [&](const std::vector<std::pair<std::string, Json>>& row, size_t c) -> std::string {
      for (auto& [k, v] : row)
        if (k == cols[c]) return MaybeRound(v);
      return "";
    };
    for (auto& row : lines)
      for (size_t c = 0; c < cols.size(); ++c) widths[c] = std::max(widths[c], cell(row, c).size());
    auto line = [&](const std::vector<std::string>& vals) {
      std::string s;
      for (size_t c = 0; c < vals.size(); ++c) s += "| " + vals[c] + std::string(widths[c] - vals[c].size() + 1, ' ');
      return s + "|\n";
    };
    b += line(cols);
    for (size_t c = 0; c < cols.size(); ++c) b += "|:" + std::string(widths[c], '-') + ":";
    b += "|\n";
    for (auto& row : lines) {
      std::vector<std::string> vals;
      for (size_t c = 0; c < cols.size(); ++c) vals.push_back(cell(row, c));
      b += line(vals);
    }
    b += "\n";
  }
  b += "![Training curve](training_curve.svg)\n\n";
  b += "### Framework versions\n\n- mhub (native C++ Trainer; no Transformers/PyTorch at training time)\n";
  return y + b;
}

}  // namespace mhub::train
