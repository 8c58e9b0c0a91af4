// mhub run TASK --model DIR_OR_REPO_ID [options] [TEXT...]
// Inputs from the arguments (one request each) or, without TEXT, JSON lines on stdin in the HF
// Inference API request shape. One JSON response line per request.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command_registry.h"
#include "mhub/base/json.h"
#include "mhub/pipelines/pipeline.h"

namespace {

struct RunOptions {
  std::string task;
  std::string model;
  std::string revision = "main";
  std::vector<std::string> texts;
  std::vector<std::string> params;  // KEY=JSON or KEY=text
  int top_k = -1;
  int max_new_tokens = -1;
  double temperature = -1;
  double top_p = -1;
  int64_t seed = -1;
  bool do_sample = false;
  std::string aggregation;
  std::string candidate_labels;
  std::vector<std::string> stop;
  int batch_size = 8;
  std::string quantize;  // "" or "int8"
  bool stream = false;
};

mhub::Json ParamValue(const std::string& text) {
  auto parsed = mhub::ParseJson(text);
  return parsed.ok() ? *parsed : mhub::Json(text);
}

mhub::Json DefaultParameters(const RunOptions& o) {
  mhub::Json p = mhub::Json::object();
  if (o.top_k >= 0) p["top_k"] = o.top_k;
  if (o.max_new_tokens >= 0) p["max_new_tokens"] = o.max_new_tokens;
  if (o.temperature > 0) p["temperature"] = o.temperature;
  if (o.top_p > 0) p["top_p"] = o.top_p;
  if (o.seed >= 0) p["seed"] = o.seed;
  if (o.do_sample) p["do_sample"] = true;
  if (!o.aggregation.empty()) p["aggregation_strategy"] = o.aggregation;
  if (!o.candidate_labels.empty()) p["candidate_labels"] = o.candidate_labels;
  if (!o.stop.empty()) p["stop"] = o.stop;
  for (const std::string& kv : o.params) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    p[kv.substr(0, eq)] = ParamValue(kv.substr(eq + 1));
  }
  return p;
}

int RunOne(mhub::pipelines::Pipeline& pipe, const mhub::Json& request, bool stream) {
  mhub::Result<mhub::Json> out = mhub::Status::Internal("unset");
  if (stream) {
    int index = 0;
    out = pipe.RunStreaming(request, [&](int32_t token, std::string_view text) {
      mhub::Json ev = {{"index", index++}, {"token", {{"id", token}, {"text", std::string(text)}}}};
      std::cout << mhub::DumpJson(ev) << "\n" << std::flush;
      return true;
    });
  } else {
    out = pipe.Run(request);
  }
  if (!out.ok()) return mhub::cli::print_error(out.status());
  std::cout << mhub::DumpJson(*out) << "\n" << std::flush;
  return 0;
}

}  // namespace

MHUB_REGISTER_COMMAND(run) {
  auto opts = std::make_shared<RunOptions>();
  auto* sub = app.add_subcommand("run", "Run a task pipeline on a model (HF Inference API JSON in and out)");
  std::string tasks;
  for (const auto& t : mhub::pipelines::Pipeline::SupportedTasks()) tasks += (tasks.empty() ? "" : ", ") + t;
  sub->add_option("task", opts->task, "Task: " + tasks)->required();
  sub->add_option("text", opts->texts, "Input texts (one request each); without them, JSON lines on stdin");
  sub->add_option("--model,-m", opts->model, "Model folder or hub repo id")->required();
  sub->add_option("--revision", opts->revision, "Revision for hub repo ids");
  sub->add_option("--param,-p", opts->params, "Extra parameter KEY=VALUE (VALUE parsed as JSON when it is); repeatable")
      ->allow_extra_args(false);
  sub->add_option("--top-k", opts->top_k, "top_k");
  sub->add_option("--max-new-tokens", opts->max_new_tokens, "max_new_tokens (text-generation)");
  sub->add_option("--temperature", opts->temperature, "temperature (text-generation)");
  sub->add_option("--top-p", opts->top_p, "top_p (text-generation)");
  sub->add_option("--seed", opts->seed, "seed (text-generation)");
  sub->add_flag("--do-sample", opts->do_sample, "sample instead of greedy decoding (text-generation)");
  sub->add_option("--stop", opts->stop, "stop string (text-generation; repeatable)")->allow_extra_args(false);
  sub->add_option("--aggregation-strategy", opts->aggregation, "none|simple|first|average|max (token-classification)");
  sub->add_option("--candidate-labels", opts->candidate_labels, "comma-separated labels (zero-shot-classification)");
  sub->add_option("--batch-size", opts->batch_size, "rows per forward pass for lists of inputs");
  sub->add_flag("--stream", opts->stream, "print each generated token as a JSON line before the result");
  sub->add_option("--quantize", opts->quantize, "int8: linear layers in int8 (dynamic quantization, AVX512_VNNI)")
      ->check(CLI::IsMember({"int8"}));
  return [opts]() -> int {
    mhub::pipelines::PipelineOptions po;
    po.revision = opts->revision;
    po.default_parameters = DefaultParameters(*opts);
    po.batch_size = opts->batch_size;
    po.quantize_int8 = opts->quantize == "int8";
    auto pipe = mhub::pipelines::Pipeline::Create(opts->task, opts->model, po);
    if (!pipe.ok()) return mhub::cli::print_error(pipe.status());
    int rc = 0;
    if (!opts->texts.empty()) {
      for (const std::string& t : opts->texts) rc |= RunOne(**pipe, mhub::Json{{"inputs", t}}, opts->stream);
      return rc;
    }
    std::string line;
    size_t n = 0;
    while (std::getline(std::cin, line)) {
      ++n;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto req = mhub::ParseJson(line, "request line " + std::to_string(n));
      if (!req.ok()) {
        rc = mhub::cli::print_error(req.status());
        continue;
      }
      rc |= RunOne(**pipe, *req, opts->stream);
    }
    return rc;
  };
}
