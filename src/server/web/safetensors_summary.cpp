#include "server/web/safetensors_summary.h"

#include <cstdio>
#include <cstring>
#include <list>
#include <mutex>

#include "mhub/base/json.h"

namespace mhub::server::web {
namespace {

// Headers past this are not summarized (real ones are kilobytes; the format allows 100 MB).
constexpr uint64_t kMaxHeader = 16u << 20;
constexpr int kMaxFiles = 64;

std::optional<std::string> HeaderFromBytes(std::string_view bytes) {
  if (bytes.size() < 8) return std::nullopt;
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  if (n == 0 || n > kMaxHeader || n > bytes.size() - 8) return std::nullopt;
  return std::string(bytes.substr(8, n));
}

std::optional<std::string> HeaderFromFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return std::nullopt;
  unsigned char len[8];
  std::optional<std::string> out;
  if (std::fread(len, 1, 8, f) == 8) {
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | len[i];
    if (n > 0 && n <= kMaxHeader) {
      std::string text(n, '\0');
      if (std::fread(text.data(), 1, n, f) == n) out = std::move(text);
    }
  }
  std::fclose(f);
  return out;
}

struct Cache {
  std::mutex mu;
  std::list<std::pair<std::string, std::optional<SafetensorsSummary>>> lru;  // newest first
};

}  // namespace

bool AddSafetensorsHeader(std::string_view header_json, SafetensorsSummary* out) {
  auto parsed = ParseJson(header_json, "safetensors header");
  if (!parsed.ok() || !parsed->is_object()) return false;
  for (const auto& [name, t] : parsed->items()) {
    if (name == "__metadata__") continue;
    if (!t.is_object() || !t.contains("dtype") || !t["dtype"].is_string() || !t.contains("shape") ||
        !t["shape"].is_array()) {
      return false;
    }
    uint64_t count = 1;
    for (const auto& d : t["shape"]) {
      if (!d.is_number_unsigned()) return false;
      uint64_t dim = d.get<uint64_t>();
      if (dim != 0 && count > UINT64_MAX / dim) return false;  // overflow: not a real tensor
      count *= dim;
    }
    out->parameters[t["dtype"].get<std::string>()] += count;
    out->total += count;
  }
  ++out->files;
  return true;
}

std::optional<SafetensorsSummary> SummarizeSafetensors(HubContext& ctx, const RepoKey& key, const std::string& commit) {
  static Cache cache;
  std::string cache_key = ctx.data_dir + "\n" + key.ToString() + "@" + commit;
  {
    std::lock_guard<std::mutex> lock(cache.mu);
    for (auto it = cache.lru.begin(); it != cache.lru.end(); ++it) {
      if (it->first == cache_key) {
        cache.lru.splice(cache.lru.begin(), cache.lru, it);
        return it->second;
      }
    }
  }
  std::optional<SafetensorsSummary> result;
  auto entries = ctx.repos->ListTree(key, commit, "", false);
  if (entries.ok()) {
    SafetensorsSummary sum;
    int seen = 0;
    for (const auto& e : *entries) {
      if (e.type != TreeEntry::Type::kFile || e.path.size() < 12 ||
          e.path.compare(e.path.size() - 12, 12, ".safetensors") != 0 || ++seen > kMaxFiles) {
        continue;
      }
      std::optional<std::string> header;
      if (e.lfs) {
        if (ctx.lfs->Has(e.lfs->oid)) header = HeaderFromFile(ctx.lfs->PathOf(e.lfs->oid));
      } else if (auto blob = ctx.repos->ReadFile(key, commit, e.path); blob.ok()) {
        header = HeaderFromBytes(blob->data);
      }
      if (header) AddSafetensorsHeader(*header, &sum);
    }
    if (sum.files > 0) result = std::move(sum);
  }
  std::lock_guard<std::mutex> lock(cache.mu);
  cache.lru.emplace_front(cache_key, result);
  if (cache.lru.size() > 256) cache.lru.pop_back();
  return result;
}

}  // namespace mhub::server::web
