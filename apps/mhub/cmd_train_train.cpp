// `mhub train --task T --model ID --dataset ID [options] [--<TrainingArguments flag> VALUE ...]`:
// fine-tunes without writing C++ (run_glue / run_ner / run_mlm / run_clm in one command). Every
// TrainingArguments field is a flag by its HF name (--learning_rate 3e-5, --num_train_epochs 2, ...);
// --args FILE reads them from JSON or YAML first. Prints the final metrics as one JSON line.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "command_registry.h"
#include "mhub/base/env.h"
#include "mhub/base/json.h"
#include "mhub/datasets/load.h"
#include "mhub/models/trainable.h"
#include "mhub/tokenizers/tokenizer.h"
#include "mhub/train/data_parallel.h"
#include "mhub/train/hub_push.h"
#include "mhub/train/lora.h"
#include "mhub/train/question_answering.h"
#include "mhub/train/trainer.h"

namespace mhub::cli {
namespace {

namespace fs = std::filesystem;
using train::Feature;

struct TrainOptions {
  std::string task, model, revision = "main", dataset, dataset_config, train_split = "train", eval_split, args_file;
  std::string text_column = "text", text_pair_column, label_column = "label", tokens_column = "tokens",
              tags_column = "ner_tags";
  int64_t max_length = 128;
  int64_t max_train_samples = 0, max_eval_samples = 0;
  bool from_scratch = false;
  // question-answering (run_qa's flags).
  train::QaColumns qa_columns;
  int64_t doc_stride = 0;  // 0: min(128, max_length / 3), run_qa's 128 of 384 scaled down
  train::QaPostprocessOptions qa_post;
  // LoRA (PEFT): adapters instead of a full fine-tune when lora_r > 0.
  int64_t lora_r = 0;
  double lora_alpha = 0;  // 0: PEFT's default, 8
  double lora_dropout = 0;
  std::vector<std::string> lora_targets, lora_modules_to_save;
};

// run_qa: SQuAD rows -> windows with start/end positions (train) and offsets (eval metrics).
Status PrepareQa(const datasets::Dataset& ds, const std::string& split, const TrainOptions& o,
                 tokenizers::Tokenizer& tok, int64_t pad_id, int64_t limit, std::vector<train::QaExample>& examples,
                 std::vector<train::QaFeature>& features) {
  MHUB_ASSIGN_OR_RETURN(examples, train::QaExamplesFromDataset(ds, split, o.qa_columns, limit));
  train::QaPrepOptions p;
  p.max_length = o.max_length;
  p.doc_stride = o.doc_stride > 0 ? o.doc_stride : std::min<int64_t>(128, o.max_length / 3);
  p.pad_token_id = pad_id;
  MHUB_ASSIGN_OR_RETURN(features, train::PrepareQaFeatures(tok, examples, p));
  return Status::OK();
}

Result<models::Task> ParseTask(const std::string& t) {
  if (t == "text-classification") return models::Task::kSequenceClassification;
  if (t == "token-classification") return models::Task::kTokenClassification;
  if (t == "masked-lm" || t == "fill-mask") return models::Task::kMaskedLM;
  if (t == "causal-lm" || t == "text-generation") return models::Task::kCausalLM;
  if (t == "question-answering") return models::Task::kQuestionAnswering;
  return Status::InvalidArgument(
      "--task must be text-classification, token-classification, masked-lm, causal-lm "
      "or question-answering, not '" +
      t + "'");
}

const datasets::Value* Column(const datasets::Value& row, const std::string& name) { return row.Get(name); }

// Rows of one split -> tokenized Features for the task.
Result<std::vector<Feature>> Prepare(const datasets::Dataset& ds, const std::string& split, const TrainOptions& o,
                                     models::Task task, const tokenizers::Tokenizer& tok, int64_t num_labels,
                                     std::map<std::string, int64_t>& label_ids, int64_t limit) {
  std::vector<Feature> out;
  const auto names = ds.column_names();
  auto need = [&](const std::string& c) -> Status {
    if (std::find(names.begin(), names.end(), c) == names.end()) {
      std::string have;
      for (auto& n : names) have += (have.empty() ? "" : ", ") + n;
      return Status::InvalidArgument("split '" + split + "' has no column '" + c + "' (columns: " + have + ")");
    }
    return Status::OK();
  };
  const bool tokens_task = task == models::Task::kTokenClassification;
  MHUB_RETURN_IF_ERROR(need(tokens_task ? o.tokens_column : o.text_column));
  if (task == models::Task::kSequenceClassification) MHUB_RETURN_IF_ERROR(need(o.label_column));
  if (tokens_task) MHUB_RETURN_IF_ERROR(need(o.tags_column));
  const int64_t n = limit > 0 ? std::min(limit, ds.num_rows()) : ds.num_rows();
  if (n == 0) return Status::InvalidArgument("split '" + split + "' is empty");
  for (int64_t i = 0; i < n; ++i) {
    MHUB_ASSIGN_OR_RETURN(datasets::Value row, ds.Row(i));
    Feature f;
    tokenizers::Encoding enc;
    auto where = [&] { return "split '" + split + "' row " + std::to_string(i); };
    if (tokens_task) {
      std::vector<std::string> words;
      for (const auto& w : Column(row, o.tokens_column)->as_list()) words.push_back(w.as_string());
      MHUB_ASSIGN_OR_RETURN(enc, tok.EncodePreTokenized(words));
    } else {
      const auto* text = Column(row, o.text_column);
      if (text == nullptr || text->is_null())
        return Status::InvalidArgument(where() + ": " + o.text_column + " is null");
      if (!o.text_pair_column.empty()) {
        MHUB_RETURN_IF_ERROR(need(o.text_pair_column));
        MHUB_ASSIGN_OR_RETURN(enc, tok.EncodePair(text->as_string(), Column(row, o.text_pair_column)->as_string()));
      } else {
        MHUB_ASSIGN_OR_RETURN(enc, tok.Encode(text->as_string()));
      }
    }
    const size_t len = std::min<size_t>(enc.ids.size(), size_t(o.max_length));
    if (len == 0) continue;
    for (size_t t = 0; t < len; ++t) {
      f.input_ids.push_back(enc.ids[t]);
      f.token_type_ids.push_back(enc.type_ids.empty() ? 0 : enc.type_ids[t]);
      f.special_tokens_mask.push_back(enc.special_tokens_mask.empty() ? 0 : enc.special_tokens_mask[t]);
    }
    if (task == models::Task::kSequenceClassification) {
      const auto* l = Column(row, o.label_column);
      int64_t label;
      if (l->kind() == datasets::Value::Kind::kString) {
        auto it = label_ids.find(l->as_string());
        if (it == label_ids.end()) it = label_ids.emplace(l->as_string(), int64_t(label_ids.size())).first;
        label = it->second;
      } else {
        label = l->as_int();
      }
      if (label < 0 || label >= num_labels)
        return Status::InvalidArgument(where() + ": label " + std::to_string(label) + " is outside num_labels (" +
                                       std::to_string(num_labels) + ")");
      f.label = label;
    } else if (tokens_task) {
      std::vector<int64_t> word_labels, word_ids;
      for (const auto& t : Column(row, o.tags_column)->as_list()) {
        word_labels.push_back(t.as_int());
        if (word_labels.back() < 0 || word_labels.back() >= num_labels)
          return Status::InvalidArgument(where() + ": tag " + std::to_string(word_labels.back()) +
                                         " is outside num_labels (" + std::to_string(num_labels) + ")");
      }
      for (size_t t = 0; t < len; ++t) word_ids.push_back(enc.word_ids[t] ? int64_t(*enc.word_ids[t]) : -1);
      MHUB_ASSIGN_OR_RETURN(f.labels, train::AlignLabelsWithTokens(word_ids, word_labels));
    }
    out.push_back(std::move(f));
  }
  return out;
}

int RunTrain(const TrainOptions& o, const std::vector<std::string>& extra) {
  auto task = ParseTask(o.task);
  if (!task.ok()) return print_error(task.status());
  // TrainingArguments: --args file, then flags over it.
  train::TrainingArguments base;
  if (!o.args_file.empty()) {
    auto text = mhub::ReadFile(o.args_file);
    if (!text.ok()) return print_error(text.status());
    const bool yaml = o.args_file.ends_with(".yaml") || o.args_file.ends_with(".yml");
    Result<train::TrainingArguments> a =
        yaml ? train::TrainingArgumentsFromYaml(*text) : [&]() -> Result<train::TrainingArguments> {
      auto j = ParseJson(*text, o.args_file);
      if (!j.ok()) return j.status();
      return train::TrainingArgumentsFromJson(*j);
    }();
    if (!a.ok()) return print_error(a.status().WithContext(o.args_file));
    base = *a;
  }
  auto args = train::TrainingArgumentsFromFlags(extra, base);
  if (!args.ok()) return print_error(args.status());

  auto folder = ResolveLocalOrRepo(o.model, o.revision);
  if (!folder.ok()) return print_error(folder.status());
  auto tok = tokenizers::Tokenizer::FromPretrained(*folder);
  if (!tok.ok()) return print_error(tok.status().WithContext("loading the tokenizer of " + o.model));
  auto model = models::LoadTrainable(*folder, *task);
  if (!model.ok()) return print_error(model.status());

  datasets::LoadOptions lo;
  lo.config = o.dataset_config;
  auto dd = datasets::LoadDataset(o.dataset, lo);
  if (!dd.ok()) return print_error(dd.status());
  const datasets::Dataset* train_ds = dd->Find(o.train_split);
  if (train_ds == nullptr) return print_error("dataset " + o.dataset + " has no split '" + o.train_split + "'");
  std::string eval_split = o.eval_split;
  if (eval_split.empty() && args->eval_strategy != "no")
    for (const char* s : {"validation", "test"})
      if (dd->Find(s) != nullptr) {
        eval_split = s;
        break;
      }
  const int64_t num_labels = (*model)->info().num_labels;
  std::map<std::string, int64_t> label_ids = (*model)->info().label2id;
  const bool qa = *task == models::Task::kQuestionAnswering;
  const auto& minfo = (*model)->info();
  const int64_t qa_pad = minfo.pad_token_id >= 0 ? minfo.pad_token_id : tok->TokenToId("[PAD]").value_or(0);
  Result<std::vector<Feature>> train_rows = std::vector<Feature>{};
  std::vector<train::QaExample> qa_eval_examples;
  std::vector<train::QaFeature> qa_eval_features;
  if (qa) {
    std::vector<train::QaExample> ex;
    std::vector<train::QaFeature> feats;
    if (Status st = PrepareQa(*train_ds, o.train_split, o, *tok, qa_pad, o.max_train_samples, ex, feats); !st.ok())
      return print_error(st);
    for (auto& f : feats) train_rows->push_back(std::move(f.feature));
  } else {
    train_rows = Prepare(*train_ds, o.train_split, o, *task, *tok, num_labels, label_ids, o.max_train_samples);
    if (!train_rows.ok()) return print_error(train_rows.status());
  }
  std::vector<Feature> eval_rows;
  if (!eval_split.empty()) {
    const datasets::Dataset* e = dd->Find(eval_split);
    if (e == nullptr) return print_error("dataset " + o.dataset + " has no split '" + eval_split + "'");
    if (qa) {
      if (Status st =
              PrepareQa(*e, eval_split, o, *tok, qa_pad, o.max_eval_samples, qa_eval_examples, qa_eval_features);
          !st.ok())
        return print_error(st);
      for (const auto& f : qa_eval_features) eval_rows.push_back(f.feature);
    } else {
      auto rows = Prepare(*e, eval_split, o, *task, *tok, num_labels, label_ids, o.max_eval_samples);
      if (!rows.ok()) return print_error(rows.status());
      eval_rows = std::move(*rows);
    }
  }

  train::PaddingOptions pad;
  const auto& info = (*model)->info();
  pad.pad_token_id =
      info.pad_token_id >= 0 ? info.pad_token_id : (info.eos_token_ids.empty() ? 0 : info.eos_token_ids.front());
  if (info.pad_token_id < 0)
    if (auto id = tok->TokenToId("[PAD]")) pad.pad_token_id = *id;
  std::unique_ptr<train::DataCollator> collator;
  train::ComputeMetrics metrics;
  switch (*task) {
    case models::Task::kQuestionAnswering:
      collator = train::PaddingCollator(pad);  // windows are padded to max_length already
      metrics = train::QaMetrics(qa_eval_examples, qa_eval_features, o.qa_post);
      break;
    case models::Task::kSequenceClassification:
      collator = train::PaddingCollator(pad);
      metrics = train::ClassificationMetrics(num_labels == 2 ? "binary" : "macro");
      break;
    case models::Task::kTokenClassification:
      collator = train::TokenClassificationCollator(pad);
      metrics = train::SeqevalMetrics(info.id2label);
      break;
    case models::Task::kMaskedLM: {
      train::MlmOptions m;
      for (const char* t : {"[MASK]", "<mask>"})
        if (auto id = tok->TokenToId(t)) m.mask_token_id = *id;
      m.vocab_size = int64_t(tok->GetVocabSize(true));
      m.seed = uint64_t(args->seed);
      auto c = train::MaskedLMCollator(m, pad);
      if (!c.ok()) return print_error(c.status());
      collator = std::move(*c);
      metrics = train::TokenAccuracyMetrics(false);  // run_mlm's accuracy on the masked tokens
      break;
    }
    default:
      collator = train::CausalLMCollator(pad);
      metrics = train::TokenAccuracyMetrics(true);  // run_clm's next-token accuracy
      break;
  }
  const bool lm = *task == models::Task::kMaskedLM || *task == models::Task::kCausalLM;
  const bool has_eval = !eval_rows.empty();  // eval_rows moves into the Trainer
  // --lora-r: the Trainer trains a LoraModel over the base; output_dir gets the adapter (PEFT layout).
  std::unique_ptr<train::LoraModel> lora;
  models::TrainableModel* trained = model->get();
  if (o.lora_r > 0) {
    train::LoraConfig lc;
    lc.r = o.lora_r;
    lc.lora_alpha = o.lora_alpha > 0 ? o.lora_alpha : 8;
    lc.lora_dropout = o.lora_dropout;
    lc.target_modules = o.lora_targets;
    lc.modules_to_save = o.lora_modules_to_save;
    std::error_code aec;
    lc.base_model_name_or_path = fs::exists(o.model) ? fs::absolute(o.model, aec).string() : o.model;
    if (lc.target_modules.empty())
      return print_error("--lora-r needs --lora-target-modules (e.g. query,value for BERT, c_attn for GPT-2)");
    auto l = train::LoraModel::Create(model->get(), lc, uint64_t(args->seed));
    if (!l.ok()) return print_error(l.status());
    lora = std::move(*l);
    trained = lora.get();
  }
  train::Trainer trainer(trained, *args, std::move(*train_rows), std::move(eval_rows), std::move(collator), metrics);
  Json card = {
      {"finetuned_from", fs::exists(o.model) ? "" : o.model}, {"dataset", o.dataset}, {"dataset_tags", o.dataset}};
  if (!o.dataset_config.empty()) card["dataset_config"] = o.dataset_config;
  if (!eval_split.empty()) card["dataset_split"] = eval_split;
  if (fs::exists(o.model)) card.erase("finetuned_from");
  if (lora) card["library_name"] = "peft", card["tags"] = Json::array({"lora"});
  trainer.set_card_info(card);
  if (lm)
    trainer.set_preprocess_logits_for_metrics(
        [](models::ModelOutputs out, const models::TrainBatch&) { return train::ArgmaxLogits(std::move(out)); });
  // The tokenizer goes with the model into every push, as the Trainer does with a processing class.
  std::error_code ec;
  fs::create_directories(args->output_dir, ec);
  if (ec) return print_error(Status::IOError("creating output_dir " + args->output_dir + ": " + ec.message()));
  for (const char* f :
       {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json", "merges.txt"})
    if (fs::exists(*folder + "/" + f)) {
      fs::copy_file(*folder + "/" + f, args->output_dir + "/" + f, fs::copy_options::overwrite_existing, ec);
      if (ec)
        return print_error(
            Status::IOError("copying " + std::string(f) + " to " + args->output_dir + ": " + ec.message()));
    }
  // Under `mpirun -np N`: one shard per process, gradients all-reduced; process 0 saves and pushes.
  auto dp = train::DataParallelFromEnvironment();
  if (!dp.ok()) return print_error(dp.status());
  trainer.set_data_parallel(dp->get());
  if (args->push_to_hub && trainer.is_world_process_zero()) {
    auto pusher = train::MakeHubPusher(*args);
    if (!pusher.ok()) return print_error(pusher.status());
    trainer.set_hub_pusher(std::move(*pusher));
  }
  auto r = trainer.Train(args->resume_from_checkpoint);
  if (!r.ok()) return print_error(r.status());
  // run_glue's order: save, evaluate (logged, so the card has these metrics), then push.
  if (Status st = trainer.SaveModel(); !st.ok()) return print_error(st);
  Json out = Json::object();
  for (auto& [k, v] : r->metrics) out[k] = v;
  if (has_eval) {
    auto ev = trainer.Evaluate();
    if (!ev.ok()) return print_error(ev.status());
    for (auto& [k, v] : *ev) out[k] = v;
    // run_mlm / run_clm: perplexity = exp(eval_loss), inf on overflow.
    if (lm) out["perplexity"] = std::exp((*ev)["eval_loss"]);
  }
  if (args->push_to_hub)
    if (Status st = trainer.PushToHub(); !st.ok()) return print_error(st);
  if (trainer.is_world_process_zero()) std::cout << DumpJson(out) << "\n";
  return 0;
}

}  // namespace

MHUB_REGISTER_COMMAND(train) {
  auto* sub = app.add_subcommand("train", "Fine-tune a model on a dataset (Trainer + TrainingArguments flags)");
  auto o = std::make_shared<TrainOptions>();
  sub->add_option("--task", o->task,
                  "text-classification, token-classification, masked-lm, causal-lm, question-answering")
      ->required();
  sub->add_option("--model", o->model, "model folder or hub repo id")->required();
  sub->add_option("--revision", o->revision, "model revision");
  sub->add_option("--dataset", o->dataset, "data file, folder or hub dataset repo id")->required();
  sub->add_option("--dataset-config", o->dataset_config, "dataset config name");
  sub->add_option("--train-split", o->train_split, "train split (default train)");
  sub->add_option("--eval-split", o->eval_split, "eval split (default validation, else test, when evaluating)");
  sub->add_option("--text-column", o->text_column, "text column (default text)");
  sub->add_option("--text-pair-column", o->text_pair_column, "second text column for pairs");
  sub->add_option("--label-column", o->label_column, "label column (default label)");
  sub->add_option("--tokens-column", o->tokens_column, "word list column (token classification; default tokens)");
  sub->add_option("--tags-column", o->tags_column, "tag id list column (token classification; default ner_tags)");
  sub->add_option("--max-length", o->max_length, "truncate to this many tokens (default 128)");
  sub->add_option("--max-train-samples", o->max_train_samples, "use only the first N train rows");
  sub->add_option("--max-eval-samples", o->max_eval_samples, "use only the first N eval rows");
  sub->add_option("--question-column", o->qa_columns.question, "question-answering: question column");
  sub->add_option("--context-column", o->qa_columns.context, "question-answering: context column");
  sub->add_option("--answers-column", o->qa_columns.answers,
                  "question-answering: answers column ({text: [..], answer_start: [..]})");
  sub->add_option("--id-column", o->qa_columns.id, "question-answering: example id column");
  sub->add_option("--doc-stride", o->doc_stride, "question-answering: tokens shared by consecutive context windows");
  sub->add_flag("--version-2-with-negative", o->qa_post.version_2_with_negative,
                "question-answering: some questions have no answer (SQuAD v2 metric)");
  sub->add_option("--n-best-size", o->qa_post.n_best_size, "question-answering: start/end candidates per window");
  sub->add_option("--max-answer-length", o->qa_post.max_answer_length, "question-answering: longest answer in tokens");
  sub->add_option("--null-score-diff-threshold", o->qa_post.null_score_diff_threshold,
                  "question-answering (v2): predict no answer when null score - best > this");
  sub->add_option("--lora-r", o->lora_r, "train a LoRA adapter of this rank instead of every weight");
  sub->add_option("--lora-alpha", o->lora_alpha, "LoRA alpha (scaling alpha / r; default 8)");
  sub->add_option("--lora-dropout", o->lora_dropout, "LoRA dropout (only 0 is supported)");
  sub->add_option("--lora-target-modules", o->lora_targets, "modules that get adapters (comma list)")->delimiter(',');
  sub->add_option("--lora-modules-to-save", o->lora_modules_to_save,
                  "modules trained in full with the adapter (default: the head for classification/QA)")
      ->delimiter(',');
  sub->add_option("--args", o->args_file, "TrainingArguments as a JSON or YAML file (flags override it)");
  sub->allow_extras();
  sub->footer(
      "Any TrainingArguments field is a flag by its HF name, e.g. --learning_rate 3e-5 --num_train_epochs 2 "
      "--eval_strategy epoch --output_dir out --push_to_hub --hub_model_id me/model.");
  return [o, sub]() -> int { return RunTrain(*o, sub->remaining()); };
}

}  // namespace mhub::cli
