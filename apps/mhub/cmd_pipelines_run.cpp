// mhub run TASK --model DIR_OR_REPO_ID [options] [TEXT...]
// Inputs from the arguments (one request each, taken verbatim), --question/--context for
// question-answering, or stdin: a line starting with '{' is a JSON request in the HF Inference API
// shape, any other line is one text input. One JSON response line per request.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command_registry.h"
#include "did_you_mean.h"
#include "mhub/base/json.h"
#include "mhub/core/cpu.h"
#include "mhub/models/auto_model.h"
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
  std::string question;
  std::string context;
  int batch_size = 8;
  std::string quantize;  // "" or "int8"
  bool stream = false;
};

// Which options the user gave (so `--temperature 0` reaches the pipeline and is refused there,
// instead of being taken for "unset").
struct Given {
  CLI::Option* top_k;
  CLI::Option* max_new_tokens;
  CLI::Option* temperature;
  CLI::Option* top_p;
  CLI::Option* seed;
};

constexpr const char* kTaskFooter = R"(Inputs per task (TEXT arguments are taken verbatim, "[MASK]" included):
  feature-extraction        TEXT; output: one mean-pooled, normalized vector per input (the Inference API/TEI
                            shape); -p pooling=none gives one vector per token (transformers' pipeline shape)
  sentence-similarity       stdin {"inputs": {"source_sentence": S, "sentences": [...]}}
  text-classification       TEXT; output: every label, best first ([[{"label", "score"}, ...]], the Inference API
                            shape); --top-k 1 gives the top label only (transformers' pipeline default)
  token-classification      TEXT [--aggregation-strategy simple]
  fill-mask                 TEXT with the tokenizer's mask token, e.g. "paris is the [MASK] of france."
  question-answering        --question Q --context C (or stdin {"inputs": {"question", "context"}})
  zero-shot-classification  TEXT --candidate-labels a,b,c
  text-generation           TEXT [--max-new-tokens N --do-sample --temperature T --top-p P --seed S --stream]
stdin: one request per line; a line starting with '{' is HF Inference API JSON, any other line is one TEXT.
Parameters (-p KEY=VALUE, the flags above, a request's "parameters") are checked per task: one the task does
not take (another task's flag included) or a value out of range is an error, as transformers raises it.
Examples:
  mhub run fill-mask --model alice/tiny-bert "paris is the [MASK] of france."
  echo "I love it" | mhub run text-classification -m ./sst2
  mhub run question-answering -m ./squad --question "Who?" --context "Alice wrote it.")";

mhub::Json ParamValue(const std::string& text) {
  auto parsed = mhub::ParseJson(text);
  return parsed.ok() ? *parsed : mhub::Json(text);
}

mhub::Result<mhub::Json> DefaultParameters(const RunOptions& o, const Given& given) {
  mhub::Json p = mhub::Json::object();
  if (given.top_k->count() > 0) p["top_k"] = o.top_k;
  if (given.max_new_tokens->count() > 0) p["max_new_tokens"] = o.max_new_tokens;
  if (given.temperature->count() > 0) p["temperature"] = o.temperature;
  if (given.top_p->count() > 0) p["top_p"] = o.top_p;
  if (given.seed->count() > 0) p["seed"] = o.seed;
  if (o.do_sample) p["do_sample"] = true;
  if (!o.aggregation.empty()) p["aggregation_strategy"] = o.aggregation;
  if (!o.candidate_labels.empty()) p["candidate_labels"] = o.candidate_labels;
  if (!o.stop.empty()) p["stop"] = o.stop;
  for (const std::string& kv : o.params) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return mhub::Status::InvalidArgument("-p expects KEY=VALUE, got '" + kv + "'");
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

// The head a task needs, or kBase when any model will do.
mhub::models::Task HeadFor(const std::string& task) {
  using mhub::models::Task;
  if (task == "text-classification" || task == "sentiment-analysis" || task == "zero-shot-classification")
    return Task::kSequenceClassification;
  if (task == "token-classification" || task == "ner") return Task::kTokenClassification;
  if (task == "fill-mask") return Task::kMaskedLM;
  if (task == "question-answering") return Task::kQuestionAnswering;
  if (task == "text-generation") return Task::kCausalLM;
  return Task::kBase;
}

// A model whose config names another head than the task needs fails here with both names
// (instead of with missing weights deep in the loader).
mhub::Status CheckHead(const RunOptions& o) {
  mhub::models::Task need = HeadFor(o.task);
  if (need == mhub::models::Task::kBase) return mhub::Status::OK();
  auto config = mhub::models::LoadConfigJson(o.model, mhub::models::LoadOptions{o.revision});
  if (!config.ok()) return mhub::Status::OK();  // the pipeline reports it with its own context
  if (!config->contains("architectures") || !(*config)["architectures"].is_array() ||
      (*config)["architectures"].empty() || !(*config)["architectures"][0].is_string())
    return mhub::Status::OK();
  std::string arch = (*config)["architectures"][0].get<std::string>();
  auto have = mhub::models::TaskFromArchitecture(arch);
  if (!have.ok() || *have == need || *have == mhub::models::Task::kBase) return mhub::Status::OK();
  return mhub::Status::InvalidArgument(o.model + " is a " + arch + " (a " + mhub::models::TaskName(*have) + " head); " +
                                       o.task + " needs a " + mhub::models::TaskName(need) +
                                       " head (run the task that fits, or a model built for " + o.task + ")");
}

}  // namespace

MHUB_REGISTER_COMMAND(run) {
  auto opts = std::make_shared<RunOptions>();
  auto* sub = app.add_subcommand("run", "Run a task pipeline on a model (HF Inference API JSON in and out)");
  std::string tasks;
  for (const auto& t : mhub::pipelines::Pipeline::SupportedTasks()) tasks += (tasks.empty() ? "" : ", ") + t;
  sub->add_option("task", opts->task, "Task: " + tasks)->required();
  // Taken verbatim, "[MASK]" and "[1,2]" included (main.cpp keeps CLI11 from reading them as lists).
  sub->add_option("text", opts->texts, "Input texts (one request each); without them, stdin");
  sub->add_option("--model,-m", opts->model, "Model folder or hub repo id")->required();
  sub->add_option("--revision", opts->revision, "Revision for hub repo ids");
  sub->add_option("--param,-p", opts->params, "Extra parameter KEY=VALUE (VALUE parsed as JSON when it is); repeatable")
      ->allow_extra_args(false);
  auto given = std::make_shared<Given>();
  given->top_k = sub->add_option("--top-k", opts->top_k, "top_k");
  given->max_new_tokens = sub->add_option("--max-new-tokens", opts->max_new_tokens, "max_new_tokens (text-generation)");
  given->temperature = sub->add_option("--temperature", opts->temperature, "temperature (text-generation)");
  given->top_p = sub->add_option("--top-p", opts->top_p, "top_p (text-generation)");
  given->seed = sub->add_option("--seed", opts->seed, "seed (text-generation)");
  sub->add_flag("--do-sample", opts->do_sample, "sample instead of greedy decoding (text-generation)");
  sub->add_option("--stop", opts->stop, "stop string (text-generation; repeatable)")->allow_extra_args(false);
  sub->add_option("--aggregation-strategy", opts->aggregation, "none|simple|first|average|max (token-classification)");
  sub->add_option("--candidate-labels", opts->candidate_labels, "comma-separated labels (zero-shot-classification)");
  sub->add_option("--question", opts->question, "the question (question-answering)");
  sub->add_option("--context", opts->context, "the text holding the answer (question-answering)");
  sub->add_option("--batch-size", opts->batch_size, "rows per forward pass for lists of inputs");
  sub->add_flag("--stream", opts->stream, "print each generated token as a JSON line before the result");
  sub->add_option("--quantize", opts->quantize, "int8: linear layers in int8 (dynamic quantization)")
      ->check(CLI::IsMember({"int8"}));
  sub->footer(kTaskFooter);
  return [opts, given]() -> int {
    std::vector<std::string> known = mhub::pipelines::Pipeline::SupportedTasks();
    known.push_back("sentiment-analysis");
    known.push_back("ner");
    bool task_known = false;
    for (const auto& t : known) task_known = task_known || t == opts->task;
    // translation_xx_to_yy picks task_specific_params["translation_xx_to_yy"] (T5 prefixes).
    task_known =
        task_known || (opts->task.rfind("translation_", 0) == 0 && opts->task.find("_to_") != std::string::npos);
    if (!task_known) {
      std::string hint = mhub::cli::DidYouMean(opts->task, known);
      mhub::cli::print_error("unknown task '" + opts->task + "'" +
                             (hint.empty() ? "; `mhub run --help` lists the tasks" : hint));
      return 2;
    }
    const bool qa = opts->task == "question-answering";
    if (!qa && (!opts->question.empty() || !opts->context.empty())) {
      mhub::cli::print_error("--question and --context are for question-answering");
      return 2;
    }
    if (qa && (opts->question.empty() != opts->context.empty())) {
      mhub::cli::print_error("question-answering needs both --question and --context");
      return 2;
    }
    if (qa && !opts->texts.empty()) {
      mhub::cli::print_error("question-answering takes --question Q --context C, not TEXT arguments");
      return 2;
    }
    auto params = DefaultParameters(*opts, *given);
    if (!params.ok()) {
      mhub::cli::print_error(params.status());
      return 2;
    }
    if (opts->quantize == "int8" && !mhub::core::ActiveHasVnni()) {
      mhub::cli::print_warning(
          "--quantize int8: this CPU (isa " + std::string(mhub::core::IsaName(mhub::core::ActiveIsa())) +
          ") has no AVX512-VNNI, so int8 dot products run with " +
          (mhub::core::ActiveIsa() == mhub::core::Isa::kScalar ? "scalar code" : "AVX2 vpmaddubsw") +
          " (the same results; compare the speed with the float model)");
    }
    if (mhub::Status head = CheckHead(*opts); !head.ok()) return mhub::cli::print_error(head);
    mhub::pipelines::PipelineOptions po;
    po.revision = opts->revision;
    po.default_parameters = *params;
    po.batch_size = opts->batch_size;
    po.quantize_int8 = opts->quantize == "int8";
    if (auto resolve = mhub::cli::adapter_resolver()) {  // a LoRA adapter runs merged into its base
      auto merged = resolve(opts->model, opts->revision);
      if (!merged.ok()) return mhub::cli::print_error(merged.status());
      opts->model = *merged;
    }
    auto pipe = mhub::pipelines::Pipeline::Create(opts->task, opts->model, po);
    if (!pipe.ok()) return mhub::cli::print_error(pipe.status());
    if (qa && !opts->question.empty())
      return RunOne(**pipe, mhub::Json{{"inputs", {{"question", opts->question}, {"context", opts->context}}}},
                    opts->stream);
    int rc = 0;
    if (!opts->texts.empty()) {
      for (const std::string& t : opts->texts) rc |= RunOne(**pipe, mhub::Json{{"inputs", t}}, opts->stream);
      return rc;
    }
    std::string line;
    size_t n = 0;
    while (std::getline(std::cin, line)) {
      ++n;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos) continue;
      if (line[first] != '{') {
        rc |= RunOne(**pipe, mhub::Json{{"inputs", line}}, opts->stream);
        continue;
      }
      auto req = mhub::ParseJson(line, "stdin line " + std::to_string(n) +
                                           " (a line starting with '{' is a JSON request; other lines are texts)");
      if (!req.ok()) {
        rc = mhub::cli::print_error(req.status());
        continue;
      }
      rc |= RunOne(**pipe, *req, opts->stream);
    }
    return rc;
  };
}
