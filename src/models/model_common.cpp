#include "models/model_common.h"

#include <cassert>
#include <filesystem>

#include "mhub/base/env.h"
#include "mhub/formats/safetensors.h"
#include "mhub/models/pipeline_tag.h"

namespace mhub::models {
namespace {

Result<formats::Dtype> FormatsDtype(core::DType dtype) {
  switch (dtype) {
    case core::DType::kF32:
      return formats::Dtype::kF32;
    case core::DType::kBF16:
      return formats::Dtype::kBF16;
    case core::DType::kF16:
      return formats::Dtype::kF16;
    case core::DType::kI8:
      return formats::Dtype::kI8;
    case core::DType::kI32:
      return formats::Dtype::kI32;
    case core::DType::kI64:
      return formats::Dtype::kI64;
  }
  return Status::Internal("unknown core dtype");
}

const char* TorchDtypeName(core::DType dtype) {
  switch (dtype) {
    case core::DType::kBF16:
      return "bfloat16";
    case core::DType::kF16:
      return "float16";
    default:
      return "float32";
  }
}

}  // namespace

const char* PipelineTagFor(Task task) {
  switch (task) {
    case Task::kSequenceClassification:
      return "text-classification";
    case Task::kTokenClassification:
      return "token-classification";
    case Task::kMaskedLM:
      return "fill-mask";
    case Task::kQuestionAnswering:
      return "question-answering";
    case Task::kCausalLM:
      return "text-generation";
    case Task::kBase:
      break;
  }
  return "";
}

const char* TaskName(Task task) {
  switch (task) {
    case Task::kBase:
      return "base";
    case Task::kSequenceClassification:
      return "sequence-classification";
    case Task::kTokenClassification:
      return "token-classification";
    case Task::kMaskedLM:
      return "masked-lm";
    case Task::kQuestionAnswering:
      return "question-answering";
    case Task::kCausalLM:
      return "causal-lm";
  }
  return "unknown";
}

int64_t Array::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

float Array::at(std::initializer_list<int64_t> index) const {
  assert(index.size() == shape.size());
  int64_t flat = 0;
  size_t i = 0;
  for (int64_t v : index) flat = flat * shape[i++] + v;
  return values[static_cast<size_t>(flat)];
}

std::string ArchitectureName(const std::string& stem, Task task) {
  switch (task) {
    case Task::kBase:
      return stem + "Model";
    case Task::kSequenceClassification:
      return stem + "ForSequenceClassification";
    case Task::kTokenClassification:
      return stem + "ForTokenClassification";
    case Task::kMaskedLM:
      return stem + "ForMaskedLM";
    case Task::kQuestionAnswering:
      return stem + "ForQuestionAnswering";
    case Task::kCausalLM:
      return stem == "GPT2" ? "GPT2LMHeadModel" : stem + "ForCausalLM";
  }
  return stem;
}

ModelInfo MakeModelInfo(const formats::ModelConfig& config, const std::string& architecture, Task task) {
  ModelInfo info;
  info.model_type = config.model_type;
  info.architecture = architecture;
  info.vocab_size = config.vocab_size();
  info.hidden_size = config.hidden_size();
  info.num_layers = config.num_hidden_layers();
  info.max_position_embeddings = config.max_position_embeddings();
  if (task == Task::kSequenceClassification || task == Task::kTokenClassification) {
    info.num_labels = config.num_labels();
    info.id2label.resize(static_cast<size_t>(info.num_labels));
    for (int64_t i = 0; i < info.num_labels; ++i) {
      auto it = config.id2label.find(i);
      info.id2label[static_cast<size_t>(i)] = it != config.id2label.end() ? it->second : "LABEL_" + std::to_string(i);
    }
    info.label2id = config.label2id;
    if (info.label2id.empty()) {
      for (int64_t i = 0; i < info.num_labels; ++i) info.label2id[info.id2label[static_cast<size_t>(i)]] = i;
    }
  }
  info.pad_token_id = config.pad_token_id.value_or(-1);
  info.bos_token_id = config.bos_token_id.value_or(-1);
  info.eos_token_ids = config.eos_token_ids;
  info.is_decoder = task == Task::kCausalLM;
  return info;
}

std::vector<std::string> ParamNames(const ParamRegistry& params) {
  std::vector<std::string> names;
  names.reserve(params.params.size());
  for (const NamedParam& p : params.params) names.push_back(p.name);
  return names;
}

std::string WeightDtypeName(const ParamRegistry& params) {
  for (const NamedParam& p : params.params) {
    if (p.tensor.dtype() != core::DType::kF32) return std::string(core::DTypeName(p.tensor.dtype()));
  }
  return "F32";
}

Status SaveModel(const formats::ModelConfig& config, const std::string& architecture, const ParamRegistry& params,
                 const std::string& dir, int64_t max_shard_size) {
  if (max_shard_size <= 0) return Status::InvalidArgument("max_shard_size must be positive");
  std::vector<formats::TensorView> views;
  views.reserve(params.params.size());
  core::DType weight_dtype = core::DType::kF32;
  for (const NamedParam& p : params.params) {
    formats::TensorView v;
    v.name = p.name;
    MHUB_ASSIGN_OR_RETURN(v.dtype, FormatsDtype(p.tensor.dtype()));
    v.shape = p.tensor.shape().ToVector();
    v.data = static_cast<const uint8_t*>(p.tensor.raw_data());
    v.nbytes = p.tensor.nbytes();
    if (p.tensor.dtype() != core::DType::kF32) weight_dtype = p.tensor.dtype();
    views.push_back(std::move(v));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create '" + dir + "': " + ec.message());

  Json json = config.ToJson();
  json["architectures"] = Json::array({architecture});
  json["model_type"] = config.model_type;
  json["torch_dtype"] = TorchDtypeName(weight_dtype);
  MHUB_RETURN_IF_ERROR(WriteFileAtomic(dir + "/config.json", DumpJson(json, 2) + "\n"));

  formats::ShardedWriteOptions options;
  options.max_shard_bytes = static_cast<uint64_t>(max_shard_size);
  MHUB_ASSIGN_OR_RETURN(formats::ShardedWriteResult written, formats::WriteShardedSafetensors(dir, views, options));
  (void)written;
  return Status::OK();
}

std::string BasePrefix(const std::string& model_type) {
  if (model_type == "bert") return "bert.";
  if (model_type == "roberta" || model_type == "xlm-roberta") return "roberta.";
  if (model_type == "distilbert") return "distilbert.";
  if (model_type == "gpt2") return "transformer.";
  return "model.";
}

Status UnsupportedTask(const std::string& model_type, Task task, const std::vector<Task>& supported) {
  std::string list;
  for (Task t : supported) list += std::string(list.empty() ? "" : ", ") + TaskName(t);
  return Status::Unsupported("model_type '" + model_type + "' has no " + TaskName(task) +
                             " head in mhub; supported: " + list);
}

}  // namespace mhub::models
