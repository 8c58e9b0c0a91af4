// Task and library inference for models whose card names none (see pipeline_inference.h). The
// table follows the transformers Auto* head classes the Hub maps architectures with.
#include "mhub/server/pipeline_inference.h"

#include "mhub/server/repo_errors.h"

namespace mhub::server {
namespace {

constexpr uint64_t kMaxConfigBytes = 1u << 20;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool StartsWith(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// Head suffix -> task, most specific first.
struct HeadTask {
  const char* suffix;
  const char* task;
};
constexpr HeadTask kHeads[] = {
    {"ForCausalLM", "text-generation"},
    {"LMHeadModel", "text-generation"},
    {"ForMaskedLM", "fill-mask"},
    {"WithLMHeadModel", "fill-mask"},
    {"ForPreTraining", "fill-mask"},
    {"ForSequenceClassification", "text-classification"},
    {"ForTokenClassification", "token-classification"},
    {"ForTableQuestionAnswering", "table-question-answering"},
    {"ForDocumentQuestionAnswering", "document-question-answering"},
    {"ForVisualQuestionAnswering", "visual-question-answering"},
    {"ForQuestionAnswering", "question-answering"},
    {"ForImageClassification", "image-classification"},
    {"ForZeroShotImageClassification", "zero-shot-image-classification"},
    {"ForObjectDetection", "object-detection"},
    {"ForZeroShotObjectDetection", "zero-shot-object-detection"},
    {"ForSemanticSegmentation", "image-segmentation"},
    {"ForInstanceSegmentation", "image-segmentation"},
    {"ForUniversalSegmentation", "image-segmentation"},
    {"ForDepthEstimation", "depth-estimation"},
    {"ForAudioClassification", "audio-classification"},
    {"ForCTC", "automatic-speech-recognition"},
    {"ForSpeechSeq2Seq", "automatic-speech-recognition"},
    {"ForTextToSpeech", "text-to-speech"},
    {"ForTextToWaveform", "text-to-speech"},
    {"ForVision2Seq", "image-text-to-text"},
    {"ForImageTextToText", "image-text-to-text"},
    {"ForVideoClassification", "video-classification"},
};

// *ForConditionalGeneration is a seq2seq head whose task depends on the model family.
std::string ConditionalGenerationTask(std::string_view arch) {
  for (const char* p : {"Whisper", "Speech2Text", "SpeechT5"}) {
    if (StartsWith(arch, p)) return "automatic-speech-recognition";
  }
  for (const char* p : {"Llava", "Qwen2VL", "Qwen2_5_VL", "PaliGemma", "Idefics", "Blip", "Gemma3", "Mllama",
                        "Pix2Struct", "Florence", "Kosmos", "InstructBlip"}) {
    if (StartsWith(arch, p)) return "image-text-to-text";
  }
  if (StartsWith(arch, "Musicgen")) return "text-to-audio";
  return "text2text-generation";  // T5, BART, Marian, Pegasus, mBART, ...
}

}  // namespace

std::string InferPipelineTag(const Json& config, std::string_view library_name) {
  if (config.is_object() && config.contains("architectures") && config["architectures"].is_array() &&
      !config["architectures"].empty() && config["architectures"][0].is_string()) {
    const std::string arch = config["architectures"][0].get<std::string>();
    if (EndsWith(arch, "ForConditionalGeneration")) return ConditionalGenerationTask(arch);
    for (const HeadTask& h : kHeads) {
      if (EndsWith(arch, h.suffix)) return h.task;
    }
    if (arch == "VisionEncoderDecoderModel") return "image-to-text";
    if (arch == "CLIPModel" || arch == "SiglipModel" || arch == "Siglip2Model") return "zero-shot-image-classification";
    if (library_name != "sentence-transformers" && EndsWith(arch, "Model")) return "feature-extraction";
  }
  if (library_name == "sentence-transformers") return "sentence-similarity";
  if (library_name == "timm") return "image-classification";
  return "";
}

Status InferCardDefaults(const RepoStore& repos, const RepoKey& key, const std::string& commit, CardData* card) {
  if (key.type != RepoType::kModel || commit.empty()) return Status::OK();
  if (!card->pipeline_tag.empty() && !card->library_name.empty()) return Status::OK();
  auto read = [&](std::string_view path) -> Result<std::string> {
    auto file = repos.ReadFile(key, commit, path);
    if (!file.ok()) return file.status();
    if (file->lfs || file->data.size() > kMaxConfigBytes) return Status::NotFound("not a small text file");
    return file->data;
  };
  auto is_missing = [](const Status& st) {
    return st.code() == StatusCode::kNotFound || NotFoundKindOf(st) == NotFoundKind::kEntry;
  };
  Json config = nullptr;
  auto config_text = read("config.json");
  if (config_text.ok()) {
    auto parsed = ParseJson(*config_text, "config.json");
    if (parsed.ok() && parsed->is_object()) config = std::move(parsed).value();
  } else if (!is_missing(config_text.status())) {
    return config_text.status();
  }
  if (card->library_name.empty()) {
    auto st_modules = read("modules.json");
    if (!st_modules.ok() && !is_missing(st_modules.status())) return st_modules.status();
    if (st_modules.ok()) {
      card->library_name = "sentence-transformers";
    } else if (config.is_object() && (config.contains("architectures") || config.contains("model_type"))) {
      card->library_name = "transformers";
    }
  }
  if (card->pipeline_tag.empty()) card->pipeline_tag = InferPipelineTag(config, card->library_name);
  return Status::OK();
}

}  // namespace mhub::server
