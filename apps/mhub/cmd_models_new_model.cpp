// `mhub new-model ARCH --task TASK [--size tiny|small] [--seed N] DIR`: a model folder with random
// weights (from_config + save_pretrained), a small tokenizer.json and tokenizer_config.json, so
// the quick start and every task run on a fresh machine with nothing downloaded. The weights are
// untrained: outputs have the right shapes, not meaningful values.
#include <filesystem>
#include <iostream>

#include "command_registry.h"
#include "did_you_mean.h"
#include "mhub/base/env.h"
#include "mhub/models/auto_model.h"
#include "starter_tokenizers.h"

namespace {

using mhub::Json;

struct NewModelOptions {
  std::string arch;
  std::string task;
  std::string size = "tiny";
  std::string dir;
  uint64_t seed = 0;
  bool force = false;
};

struct Arch {
  const char* name;        // model_type
  const char* class_stem;  // "Bert" -> BertForMaskedLM
  bool encoder;            // WordPiece tokenizer and encoder heads; else byte-level BPE and causal LM
};

constexpr Arch kArchs[] = {{"bert", "Bert", true},    {"distilbert", "DistilBert", true}, {"gpt2", "GPT2", false},
                           {"llama", "Llama", false}, {"mistral", "Mistral", false},      {"qwen2", "Qwen2", false}};

// The architecture class for a task (transformers' naming), or "" when the task does not fit.
std::string ArchitectureFor(const Arch& a, const std::string& task) {
  std::string stem = a.class_stem;
  if (task == "feature-extraction" || task == "sentence-similarity") return stem + "Model";
  if (task == "text-classification" || task == "zero-shot-classification") return stem + "ForSequenceClassification";
  if (!a.encoder) {
    if (task == "text-generation") return std::string(a.name) == "gpt2" ? "GPT2LMHeadModel" : stem + "ForCausalLM";
    return "";
  }
  if (task == "fill-mask") return stem + "ForMaskedLM";
  if (task == "token-classification") return stem + "ForTokenClassification";
  if (task == "question-answering") return stem + "ForQuestionAnswering";
  return "";
}

Json LabelsFor(const std::string& task) {
  if (task == "token-classification") return Json::array({"O", "B-PER", "I-PER", "B-LOC", "I-LOC"});
  if (task == "zero-shot-classification") return Json::array({"contradiction", "neutral", "entailment"});
  return Json::array({"NEGATIVE", "POSITIVE"});
}

Json ConfigFor(const Arch& a, const std::string& architecture, const std::string& task, bool small,
               int64_t vocab_size) {
  const int64_t hidden = small ? 128 : 32, layers = small ? 4 : 2, heads = small ? 4 : 2;
  Json c;
  c["architectures"] = Json::array({architecture});
  c["model_type"] = a.name;
  c["vocab_size"] = vocab_size;
  c["initializer_range"] = 0.02;
  const std::string name = a.name;
  if (name == "bert") {
    c.update({{"hidden_size", hidden},
              {"num_hidden_layers", layers},
              {"num_attention_heads", heads},
              {"intermediate_size", 4 * hidden},
              {"hidden_act", "gelu"},
              {"hidden_dropout_prob", 0.1},
              {"attention_probs_dropout_prob", 0.1},
              {"max_position_embeddings", 512},
              {"type_vocab_size", 2},
              {"layer_norm_eps", 1e-12},
              {"pad_token_id", 0},
              {"position_embedding_type", "absolute"}});
  } else if (name == "distilbert") {
    c.update({{"dim", hidden},
              {"n_layers", layers},
              {"n_heads", heads},
              {"hidden_dim", 4 * hidden},
              {"activation", "gelu"},
              {"dropout", 0.1},
              {"attention_dropout", 0.1},
              {"max_position_embeddings", 512},
              {"pad_token_id", 0},
              {"sinusoidal_pos_embds", false}});
  } else if (name == "gpt2") {
    c.update({{"n_embd", hidden},
              {"n_layer", layers},
              {"n_head", heads},
              {"n_positions", 512},
              {"n_inner", nullptr},
              {"activation_function", "gelu_new"},
              {"layer_norm_epsilon", 1e-5},
              {"bos_token_id", vocab_size - 1},
              {"eos_token_id", vocab_size - 1},
              {"tie_word_embeddings", true}});
  } else {  // llama, mistral, qwen2: the same decoder block
    c.update({{"hidden_size", hidden},
              {"num_hidden_layers", layers},
              {"num_attention_heads", heads},
              {"num_key_value_heads", heads / 2},
              {"intermediate_size", 3 * hidden},
              {"hidden_act", "silu"},
              {"max_position_embeddings", 512},
              {"rms_norm_eps", 1e-6},
              {"rope_theta", 10000.0},
              {"bos_token_id", vocab_size - 1},
              {"eos_token_id", vocab_size - 1},
              {"tie_word_embeddings", false}});
  }
  if (architecture.find("Classification") != std::string::npos) {
    Json labels = LabelsFor(task);
    Json id2label = Json::object(), label2id = Json::object();
    for (size_t i = 0; i < labels.size(); ++i) {
      id2label[std::to_string(i)] = labels[i];
      label2id[labels[i].get<std::string>()] = i;
    }
    c["id2label"] = id2label;
    c["label2id"] = label2id;
    if (!a.encoder) c["pad_token_id"] = vocab_size - 1;
  }
  return c;
}

std::vector<std::string> Names(bool encoder_only, bool decoder_only) {
  std::vector<std::string> out;
  for (const Arch& a : kArchs)
    if ((!encoder_only || a.encoder) && (!decoder_only || !a.encoder)) out.emplace_back(a.name);
  return out;
}

}  // namespace

MHUB_REGISTER_COMMAND(new_model) {
  auto* sub = app.add_subcommand(
      "new-model", "Write a small random model folder (config, weights, tokenizer) to try every command on");
  auto opts = std::make_shared<NewModelOptions>();
  sub->add_option("arch", opts->arch, "bert, distilbert (encoders); gpt2, llama, mistral, qwen2 (decoders)")
      ->required();
  sub->add_option("dir", opts->dir, "the folder to write")->required();
  sub->add_option("--task", opts->task,
                  "fill-mask, text-classification, token-classification, question-answering, zero-shot-classification, "
                  "feature-extraction (encoders); text-generation, text-classification, feature-extraction (decoders)")
      ->required();
  sub->add_option("--size", opts->size, "tiny (hidden 32, 2 layers) or small (hidden 128, 4 layers)")
      ->check(CLI::IsMember({"tiny", "small"}));
  sub->add_option("--seed", opts->seed, "seed of the random weights");
  sub->add_flag("--force", opts->force, "write into a folder that already holds a config.json");
  sub->footer(
      "Example: mhub new-model bert --task fill-mask ./tiny-bert && mhub run fill-mask -m ./tiny-bert "
      "\"paris is the [MASK] of france.\"");
  return [opts]() -> int {
    namespace fs = std::filesystem;
    const Arch* arch = nullptr;
    for (const Arch& a : kArchs)
      if (opts->arch == a.name) arch = &a;
    if (arch == nullptr) {
      mhub::cli::print_error("unknown architecture '" + opts->arch + "'" +
                             mhub::cli::DidYouMean(opts->arch, Names(false, false)) +
                             "; choose one of bert, distilbert, "
                             "gpt2, llama, mistral, qwen2");
      return 2;
    }
    std::string architecture = ArchitectureFor(*arch, opts->task);
    if (architecture.empty()) {
      mhub::cli::print_error("task '" + opts->task + "' does not fit " + opts->arch + ": " +
                             (arch->encoder
                                  ? "encoders take fill-mask, text-classification, token-classification, "
                                    "question-answering, zero-shot-classification, feature-extraction"
                                  : "decoders take text-generation, text-classification, feature-extraction"));
      return 2;
    }
    std::error_code ec;
    if (fs::exists(fs::path(opts->dir) / "config.json", ec) && !opts->force)
      return mhub::cli::print_error(opts->dir + " already holds a model (config.json); pass --force to overwrite it");

    Json tokenizer = arch->encoder ? mhub::cli::StarterWordPieceTokenizer() : mhub::cli::StarterByteLevelTokenizer();
    const int64_t vocab_size = static_cast<int64_t>(tokenizer["model"]["vocab"].size());
    Json config = ConfigFor(*arch, architecture, opts->task, opts->size == "small", vocab_size);
    auto head = mhub::models::TaskFromArchitecture(architecture);
    if (!head.ok()) return mhub::cli::print_error(head.status());
    auto model = mhub::models::ModelFromConfig(config, *head, opts->seed);
    if (!model.ok()) return mhub::cli::print_error(model.status().WithContext("building " + architecture));
    fs::create_directories(opts->dir, ec);
    if (ec) return mhub::cli::print_error("cannot create " + opts->dir + ": " + ec.message());
    if (mhub::Status s = (*model)->SavePretrained(opts->dir); !s.ok()) return mhub::cli::print_error(s);

    Json tok_config = {{"model_max_length", 512}, {"clean_up_tokenization_spaces", true}};
    if (arch->encoder) {
      tok_config.update({{"tokenizer_class", "BertTokenizerFast"},
                         {"do_lower_case", true},
                         {"pad_token", "[PAD]"},
                         {"unk_token", "[UNK]"},
                         {"cls_token", "[CLS]"},
                         {"sep_token", "[SEP]"},
                         {"mask_token", "[MASK]"}});
    } else {
      tok_config.update({{"tokenizer_class", "GPT2TokenizerFast"},
                         {"bos_token", "<|endoftext|>"},
                         {"eos_token", "<|endoftext|>"},
                         {"unk_token", "<|endoftext|>"}});
    }
    for (const auto& [name, json] : {std::pair<const char*, Json>{"tokenizer.json", tokenizer},
                                     std::pair<const char*, Json>{"tokenizer_config.json", tok_config}}) {
      mhub::Status s = mhub::WriteFileAtomic((fs::path(opts->dir) / name).string(), mhub::DumpJson(json, 2) + "\n");
      if (!s.ok()) return mhub::cli::print_error(s);
    }
    std::cout << "Wrote a " << opts->size << " random " << architecture << " (" << opts->task << ") to " << opts->dir
              << "\n";
    return 0;
  };
}
