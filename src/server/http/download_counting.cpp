#include "server/http/download_counting.h"

#include <mutex>
#include <unordered_map>

namespace mhub::server {
namespace {

constexpr int64_t kDatasetWindowMs = 5 * 60 * 1000;
constexpr size_t kMaxTrackedSeries = 100000;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}
bool AtRoot(std::string_view path) { return path.find('/') == std::string_view::npos; }

// Start of the current 5-minute series of each (repo, user) pair of dataset downloads.
class DatasetSeries {
 public:
  bool Starts(const std::string& key, int64_t now_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = series_.find(key);
    if (it != series_.end() && now_ms - it->second < kDatasetWindowMs) return false;
    if (series_.size() >= kMaxTrackedSeries) {
      for (auto i = series_.begin(); i != series_.end();) {
        i = now_ms - i->second >= kDatasetWindowMs ? series_.erase(i) : std::next(i);
      }
      if (series_.size() >= kMaxTrackedSeries) series_.clear();
    }
    series_[key] = now_ms;
    return true;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, int64_t> series_;
};

DatasetSeries& Series() {
  static DatasetSeries* series = new DatasetSeries();
  return *series;
}

}  // namespace

bool IsModelQueryFile(std::string_view library_name, std::string_view path) {
  if (EndsWith(path, ".gguf")) return true;
  if (library_name == "diffusers") {
    if (path == "model_index.json") return true;
    return AtRoot(path) && (EndsWith(path, ".safetensors") || EndsWith(path, ".ckpt") || EndsWith(path, ".bin"));
  }
  if (library_name == "adapter-transformers") return path == "adapter_config.json";
  if (library_name == "asteroid" || library_name == "flair") return path == "pytorch_model.bin";
  if (library_name == "keras") return path == "saved_model.pb";
  if (library_name == "ml-agents") return EndsWith(path, ".onnx");
  if (library_name == "nemo") return EndsWith(path, ".nemo");
  if (library_name == "open_clip") return EndsWith(path, "pytorch_model.bin");
  return path == "config.json" || path == "config.yaml" || path == "hyperparams.yaml" || path == "params.json" ||
         path == "meta.yaml";
}

void CountDownload(RepoCall& call, const RepoRecord& record, const std::string& path, int64_t now_ms) {
  switch (record.key.type) {
    case RepoType::kModel:
      if (!IsModelQueryFile(record.library_name, path)) return;
      break;
    case RepoType::kDataset: {
      std::string who = call.who.authenticated ? "u:" + call.who.user() : "a:" + call.req.remote_addr;
      if (!Series().Starts(call.ctx.data_dir + '\n' + record.key.ToString() + '\n' + who, now_ms)) return;
      break;
    }
    case RepoType::kSpace:
      return;
  }
  (void)call.ctx.db->IncrementDownloads(record.key);
}

}  // namespace mhub::server
