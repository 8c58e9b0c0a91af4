#include "server/viewer/split_cache.h"

#include <algorithm>

#include "mhub/datasets/features.h"
#include "server/viewer/viewer_service.h"

namespace mhub::server::viewer {

namespace {

// Row groups up to this size are decoded whole and cached; a bigger one (a Parquet source written
// elsewhere could have 1M-row groups) is read for the requested rows only, every time.
constexpr int64_t kMaxCachedGroupRows = 16384;

// The viewer's features array: the config's features where the summary has them, else derived
// from the Parquet schema, in the files' column order.
Result<OrderedJson> RenderFeatures(const datasets::Schema& schema, const Json& config_features,
                                   std::vector<bool>* keep_untruncated) {
  MHUB_ASSIGN_OR_RETURN(Json fallback, ParseJson(datasets::Features::FromSchema(schema).ToJson(), "features"));
  OrderedJson out = OrderedJson::array();
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const std::string& name = schema.fields[i].name;
    const Json& type =
        config_features.is_object() && config_features.contains(name) ? config_features[name] : fallback[name];
    const std::string kind = type.is_object() ? type.value("_type", "") : "";
    keep_untruncated->push_back(kind == "Image" || kind == "Audio");
    out.push_back(OrderedJson{{"feature_idx", i}, {"name", name}, {"type", OrderedJson::parse(type.dump())}});
  }
  return out;
}

}  // namespace

uint64_t ArrayBytes(const datasets::Array& a) {
  uint64_t n = a.validity.size + a.offsets.size + a.values.size;
  for (const auto& c : a.children) n += ArrayBytes(*c);
  return n;
}

uint64_t TableBytes(const datasets::Table& t) {
  uint64_t n = 0;
  for (const auto& c : t.columns) n += ArrayBytes(*c);
  return n;
}

Result<std::shared_ptr<const SplitView>> SplitCache::View(ViewerService& viewer, const std::string& parquet_commit,
                                                          const SplitInfo& split) {
  const std::string key = parquet_commit + "\n" + split.config + "\n" + split.split;
  if (auto hit = views_.Get(key)) return hit;
  if (split.shards.empty()) return Status::Corruption("split without files in the conversion summary");
  auto view = std::make_shared<SplitView>();
  view->key = key;
  view->config = split.config;
  view->split = split.split;
  view->num_rows = split.num_rows;
  int64_t first = 0;
  for (const auto& shard : split.shards) {
    MHUB_ASSIGN_OR_RETURN(auto file, viewer.Shard(shard));
    view->shard_first.push_back(first);
    std::vector<int64_t> groups;
    int64_t row = 0;
    for (int g = 0; g < file->num_row_groups(); ++g) {
      groups.push_back(row);
      row += file->row_group(g).num_rows;
    }
    groups.push_back(row);
    first += row;
    view->bytes += groups.size() * sizeof(int64_t) + shard.oid.size() + 64;
    view->group_first.push_back(std::move(groups));
    view->oids.push_back(shard.oid);
    view->files.push_back(std::move(file));
  }
  view->shard_first.push_back(first);
  view->num_rows = first;  // what the files hold (equal to the summary's count)
  view->schema = view->files[0]->schema();
  MHUB_ASSIGN_OR_RETURN(OrderedJson features, RenderFeatures(view->schema, split.features, &view->keep_untruncated));
  view->features_json = DumpJson(features);
  view->bytes += key.size() + view->features_json.size() + 128 * view->schema.fields.size() + 512;
  const uint64_t bytes = view->bytes;
  std::shared_ptr<const SplitView> out = std::move(view);
  views_.Put(key, out, bytes);
  return out;
}

Result<std::shared_ptr<const datasets::Table>> SplitCache::RowGroup(const SplitView& view, size_t shard, int group) {
  const std::string key = view.oids[shard] + ":" + std::to_string(group);
  if (auto hit = groups_.Get(key)) return hit;
  MHUB_ASSIGN_OR_RETURN(datasets::Table t, view.files[shard]->ReadRowGroup(group));
  const uint64_t bytes = TableBytes(t) + 256;
  auto out = std::make_shared<const datasets::Table>(std::move(t));
  groups_.Put(key, out, bytes);
  return out;
}

Result<std::vector<std::shared_ptr<const datasets::Table>>> SplitCache::Rows(const SplitView& view, int64_t begin,
                                                                             int64_t end,
                                                                             std::vector<int64_t>* first_row) {
  std::vector<std::shared_ptr<const datasets::Table>> out;
  begin = std::max<int64_t>(begin, 0);
  end = std::min(end, view.num_rows);
  if (begin >= end) return out;
  // The shard holding `begin`: the last shard starting at or before it.
  size_t s = static_cast<size_t>(std::upper_bound(view.shard_first.begin(), view.shard_first.end() - 1, begin) -
                                 view.shard_first.begin()) -
             1;
  for (; s + 1 < view.shard_first.size() && view.shard_first[s] < end; ++s) {
    const int64_t base = view.shard_first[s];
    const std::vector<int64_t>& groups = view.group_first[s];
    const int64_t lo = std::max(begin, base) - base, hi = std::min(end, view.shard_first[s + 1]) - base;
    if (lo >= hi) continue;
    int g = static_cast<int>(std::upper_bound(groups.begin(), groups.end() - 1, lo) - groups.begin()) - 1;
    for (; g + 1 < static_cast<int>(groups.size()) && groups[static_cast<size_t>(g)] < hi; ++g) {
      const int64_t g_begin = groups[static_cast<size_t>(g)], g_end = groups[static_cast<size_t>(g) + 1];
      if (g_end - g_begin <= kMaxCachedGroupRows) {
        MHUB_ASSIGN_OR_RETURN(auto t, RowGroup(view, s, g));
        out.push_back(std::move(t));
        first_row->push_back(base + g_begin);
        continue;
      }
      datasets::ParquetReadOptions options;
      options.row_begin = std::max(lo, g_begin);
      options.row_end = std::min(hi, g_end);
      MHUB_ASSIGN_OR_RETURN(datasets::Table t, view.files[s]->Read(options));
      out.push_back(std::make_shared<const datasets::Table>(std::move(t)));
      first_row->push_back(base + options.row_begin);
    }
  }
  return out;
}

}  // namespace mhub::server::viewer
