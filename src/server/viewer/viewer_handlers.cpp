#include "server/viewer/viewer_handlers.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>

#include "mhub/datasets/features.h"
#include "mhub/datasets/value.h"
#include "mhub/server/model_card.h"
#include "server/http/url_codec.h"
#include "server/viewer/column_stats.h"
#include "server/viewer/converter.h"
#include "server/viewer/filter_expr.h"
#include "server/viewer/filter_pushdown.h"
#include "server/viewer/viewer_rows.h"
#include "server/viewer/viewer_search.h"
#include "server/viewer/viewer_service.h"

namespace mhub::server::viewer {

namespace {

#define RETURN_IF_HUB_ERROR(expr)         \
  do {                                    \
    ::mhub::server::HubError e_ = (expr); \
    if (!e_.ok()) return e_;              \
  } while (0)

constexpr int64_t kRowsPerPage = 100;

HubError ViewerError(int status, const std::string& code, const std::string& message) {
  StatusCode sc = status == 404   ? StatusCode::kNotFound
                  : status == 422 ? StatusCode::kInvalidArgument
                                  : StatusCode::kInternal;
  return HubError(Status(sc, message), code, status);
}
HubError Missing(const std::string& which) {
  return ViewerError(422, "MissingRequiredParameter", "Parameter " + which + " required");
}
HubError Invalid(const std::string& message) { return ViewerError(422, "InvalidParameter", message); }
HubError NotFound() { return ViewerError(404, "ResponseNotFound", "Not found."); }
HubError NotReady() {
  return ViewerError(500, "ResponseNotReady",
                     "The server is busier than usual and the response is not ready yet. Please retry later.");
}

void SetViewerJson(HttpResponse& res, const std::string& body, const std::string& revision) {
  res.status = 200;
  res.content_type = "application/json";
  res.body = body;
  res.file.reset();
  if (!revision.empty()) res.SetHeader("X-Revision", revision);
  res.SetHeader("Cache-Control", "no-cache");
  res.SetHeader("Access-Control-Expose-Headers", "X-Error-Code, X-Revision");
}

Result<int64_t> IntParam(const HttpRequest& req, const std::string& name, int64_t fallback) {
  if (!req.HasQuery(name)) return fallback;
  std::string text = req.Query(name);
  if (text.empty() || text.size() > 18) return Status::InvalidArgument("Parameter '" + name + "' must be an integer");
  size_t i = text[0] == '-' ? 1 : 0;
  if (i == text.size()) return Status::InvalidArgument("Parameter '" + name + "' must be an integer");
  int64_t v = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return Status::InvalidArgument("Parameter '" + name + "' must be an integer");
    v = v * 10 + (text[i] - '0');
  }
  return text[0] == '-' ? -v : v;
}

// The dataset of a request once it is readable by `who`, with its conversion state.
struct DatasetCall {
  RepoKey key;
  std::shared_ptr<const JobSnapshot> snap;  // the job of main's current head, if any
  const ConversionJob* job = nullptr;       // snap's job
  bool done() const { return job && job->state == JobState::kDone; }
  bool failed() const { return job && job->state == JobState::kFailed; }
  const Json& summary() const { return snap->summary; }  // done jobs
  const std::vector<SplitInfo>& splits() const {
    static const std::vector<SplitInfo> kNone;
    return snap ? snap->splits : kNone;
  }
};

HubError OpenDataset(HubContext& ctx, const HttpRequest& req, const Principal& who, DatasetCall* out) {
  const std::string dataset = req.Query("dataset");
  if (dataset.empty()) return Missing("'dataset' is");
  auto id = ParseRepoId(dataset);
  if (!id.ok()) return HubError::RepoNotFound(dataset.substr(0, 200));
  out->key = RepoKey{RepoType::kDataset, *id};
  MHUB_RETURN_IF_ERROR(RequireRead(ctx, who, out->key).status());
  if (!ctx.viewer) return NotReady();
  auto main = ctx.repos->ResolveRevision(out->key, "main");
  MHUB_ASSIGN_OR_RETURN(std::shared_ptr<const JobSnapshot> snap, ctx.viewer->Job(out->key));
  if (snap && main.ok() && snap->job.revision == *main) {
    out->snap = std::move(snap);
    out->job = &out->snap->job;
  }
  if (!out->job && main.ok()) ctx.viewer->NoteWrite(out->key);  // pushed where no write was seen
  return {};
}

// `viewer: false` in the card of main's head turns the viewer off (HD datasets-viewer-configure.md);
// the answer is cached per commit.
bool ViewerDisabled(HubContext& ctx, const RepoKey& key) {
  auto main = ctx.repos->ResolveRevision(key, "main");
  if (!main.ok()) return false;
  static std::mutex mu;
  static std::map<std::string, bool> cache;  // "type/id@commit" -> disabled; bounded below
  const std::string ck = key.id.ToString() + "@" + *main;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(ck); it != cache.end()) return it->second;
  }
  bool disabled = false;
  auto readme = ctx.repos->ReadFile(key, *main, "README.md");
  if (readme.ok() && !readme->lfs) {
    auto card = ParseModelCard(readme->data);
    if (card.ok()) {
      const Json& raw = card->data.raw;
      disabled = raw.is_object() && raw.contains("viewer") && raw["viewer"].is_boolean() && !raw["viewer"].get<bool>();
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() > 4096) cache.clear();
  cache[ck] = disabled;
  return disabled;
}

// The failed job's error, as the viewer reports a config that could not be converted.
HubError ConversionFailed(const ConversionJob& job) {
  return ViewerError(500, "DatasetGenerationError", "The dataset generation failed: " + job.error);
}

// Requires a converted dataset; the split named by `config`/`split` when `split_out` is set.
HubError RequireDone(const HttpRequest& req, const DatasetCall& d, const SplitInfo** split_out) {
  if (split_out && (req.Query("config").empty() || req.Query("split").empty())) {
    return Missing("'dataset', 'config' and 'split' are");
  }
  if (d.failed()) return ConversionFailed(*d.job);
  if (!d.done()) return NotReady();
  if (!split_out) return {};
  for (const auto& s : d.splits()) {
    if (s.config == req.Query("config") && s.split == req.Query("split")) {
      *split_out = &s;
      return {};
    }
  }
  return NotFound();
}

// The split's cached view (open files, row offsets, rendered features).
Result<std::shared_ptr<const SplitView>> OpenView(HubContext& ctx, const DatasetCall& d, const SplitInfo& split) {
  return ctx.viewer->splits().View(*ctx.viewer, d.job->parquet_commit, split);
}

std::string PageBody(const std::string& features_json, const std::vector<std::string>& rows, int64_t total) {
  std::string body = "{\"features\":" + features_json + ",\"rows\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) body += ",";
    body += rows[i];
  }
  body += "],\"num_rows_total\":" + std::to_string(total) + ",\"num_rows_per_page\":" + std::to_string(kRowsPerPage) +
          ",\"partial\":false}";
  return body;
}

HubError PageParams(const HttpRequest& req, int64_t* offset, int64_t* length) {
  auto o = IntParam(req, "offset", 0);
  if (!o.ok()) return Invalid(o.status().message());
  if (*o < 0) return Invalid("Parameter 'offset' must be positive");
  auto l = IntParam(req, "length", kRowsPerPage);
  if (!l.ok()) return Invalid(l.status().message());
  if (*l < 0) return Invalid("Parameter 'length' must be positive");
  if (*l > kRowsPerPage) return Invalid("Parameter 'length' must not be greater than " + std::to_string(kRowsPerPage));
  *offset = *o;
  *length = *l;
  return {};
}

std::string ParquetUrl(const std::string& base, const RepoKey& key, const SplitShard& shard) {
  return base + "/datasets/" + key.id.ToString() + "/resolve/" + UrlEncode(kParquetBranch) + "/" + shard.path;
}

// --- routes ------------------------------------------------------------------------------------

HubError IsValid(const DatasetCall& d, HttpResponse& res) {
  const bool ok = d.done() && !d.splits().empty();
  OrderedJson j{{"preview", ok}, {"viewer", ok}, {"search", ok}, {"filter", ok}, {"statistics", ok}};
  SetViewerJson(res, DumpJson(j), d.job ? d.job->revision : "");
  return {};
}

HubError Splits(const HttpRequest& req, const DatasetCall& d, HttpResponse& res) {
  RETURN_IF_HUB_ERROR(RequireDone(req, d, nullptr));
  OrderedJson splits = OrderedJson::array();
  for (const auto& s : d.splits()) {
    splits.push_back(OrderedJson{{"dataset", d.key.id.ToString()}, {"config", s.config}, {"split", s.split}});
  }
  OrderedJson j{{"splits", splits}, {"pending", OrderedJson::array()}, {"failed", OrderedJson::array()}};
  SetViewerJson(res, DumpJson(j), d.job->revision);
  return {};
}

HubError FirstRows(HubContext& ctx, const HttpRequest& req, const DatasetCall& d, HttpResponse& res) {
  const SplitInfo* split = nullptr;
  RETURN_IF_HUB_ERROR(RequireDone(req, d, &split));
  MHUB_ASSIGN_OR_RETURN(auto view, OpenView(ctx, d, *split));
  auto body = FirstRowsBody(ctx.viewer->splits(), *view, d.key.id.ToString());
  if (!body.ok() && body.status().code() == StatusCode::kResourceExhausted) {
    return ViewerError(501, "TooBigContentError", body.status().message());
  }
  MHUB_RETURN_IF_ERROR(body.status());
  SetViewerJson(res, *body, d.job->revision);
  return {};
}

HubError Rows(HubContext& ctx, const HttpRequest& req, const DatasetCall& d, HttpResponse& res) {
  const SplitInfo* split = nullptr;
  RETURN_IF_HUB_ERROR(RequireDone(req, d, &split));
  int64_t offset = 0, length = 0;
  RETURN_IF_HUB_ERROR(PageParams(req, &offset, &length));
  MHUB_ASSIGN_OR_RETURN(auto view, OpenView(ctx, d, *split));
  MHUB_ASSIGN_OR_RETURN(std::vector<std::string> rows, RowItems(ctx.viewer->splits(), *view, offset, offset + length));
  SetViewerJson(res, PageBody(view->features_json, rows, view->num_rows), d.job->revision);
  return {};
}

// The page [offset, offset+length) of `matches` rendered as a /rows answer.
HubError MatchPage(HubContext& ctx, const HttpRequest& req, const DatasetCall& d, const SplitView& view,
                   const std::vector<int64_t>& matches, HttpResponse& res) {
  int64_t offset = 0, length = 0;
  RETURN_IF_HUB_ERROR(PageParams(req, &offset, &length));
  std::vector<int64_t> page;
  for (int64_t i = offset; i < offset + length && i < static_cast<int64_t>(matches.size()); ++i) {
    page.push_back(matches[static_cast<size_t>(i)]);
  }
  MHUB_ASSIGN_OR_RETURN(std::vector<std::string> rows, RowItemsAt(ctx.viewer->splits(), view, page));
  SetViewerJson(res, PageBody(view.features_json, rows, static_cast<int64_t>(matches.size())), d.job->revision);
  return {};
}

HubError Search(HubContext& ctx, const HttpRequest& req, const DatasetCall& d, HttpResponse& res) {
  const SplitInfo* split = nullptr;
  if (req.Query("query").empty()) return Missing("'dataset', 'config', 'split' and 'query' are");
  RETURN_IF_HUB_ERROR(RequireDone(req, d, &split));
  int64_t offset = 0, length = 0;
  RETURN_IF_HUB_ERROR(PageParams(req, &offset, &length));
  MHUB_ASSIGN_OR_RETURN(auto view, OpenView(ctx, d, *split));
  std::vector<datasets::ArrayPtr> text_columns;
  for (const auto& f : view->schema.fields) {
    if (f.type->id != datasets::TypeId::kString) continue;
    MHUB_ASSIGN_OR_RETURN(datasets::ArrayPtr column, ctx.viewer->Column(*split, f.name));
    text_columns.push_back(std::move(column));
  }
  std::vector<int64_t> matches = SearchRows(text_columns, split->num_rows, req.Query("query"));
  return MatchPage(ctx, req, d, *view, matches, res);
}

HubError Filter(HubContext& ctx, const HttpRequest& req, const DatasetCall& d, HttpResponse& res) {
  const SplitInfo* split = nullptr;
  const std::string where = req.Query("where"), orderby = req.Query("orderby");
  if (where.empty() && orderby.empty()) return Missing("'dataset', 'config', 'split' and 'where' or 'orderby' are");
  RETURN_IF_HUB_ERROR(RequireDone(req, d, &split));
  if (HasForbiddenSqlSymbols(where)) return Invalid("Parameter 'where' contains invalid symbols");
  if (HasForbiddenSqlSymbols(orderby)) return Invalid("Parameter 'orderby' contains invalid symbols");
  std::unique_ptr<FilterNode> ast;
  std::vector<OrderKey> order;
  if (!where.empty()) {
    auto parsed = ParseWhere(where);
    if (!parsed.ok()) return Invalid("Parameter 'where' is invalid: " + parsed.status().message());
    ast = std::move(parsed).value();
  }
  if (!orderby.empty()) {
    auto parsed = ParseOrderBy(orderby);
    if (!parsed.ok()) return Invalid("Parameter 'orderby' is invalid: " + parsed.status().message());
    order = std::move(parsed).value();
  }
  MHUB_ASSIGN_OR_RETURN(auto view, OpenView(ctx, d, *split));
  const datasets::Schema& full = view->schema;
  // Only the columns the expression and the order read.
  std::vector<std::string> names = ast ? ReferencedColumns(*ast) : std::vector<std::string>{};
  for (const auto& k : order) {
    if (std::find(names.begin(), names.end(), k.column) == names.end()) names.push_back(k.column);
  }
  datasets::Table table;
  table.num_rows = split->num_rows;
  for (const auto& n : names) {
    const int idx = full.FieldIndex(n);
    if (idx < 0) {
      return Invalid(std::string("Parameter '") + (ast ? "where" : "orderby") + "' is invalid: no column named \"" + n +
                     "\"");
    }
    table.schema.fields.push_back(full.fields[static_cast<size_t>(idx)]);
  }
  std::optional<BoundFilter> bound;
  if (ast) {
    auto b = BoundFilter::Bind(*ast, table.schema);
    if (!b.ok()) return Invalid("Parameter 'where' is invalid: " + b.status().message());
    bound.emplace(std::move(b).value());
    // One comparison and no order: only the row groups and pages whose min/max allow a match.
    if (order.empty()) {
      if (auto predicate = SimplePredicate(*ast, table.schema)) {
        MHUB_ASSIGN_OR_RETURN(std::vector<int64_t> matches, FilterWithSkipping(*view, *predicate, *bound, nullptr));
        return MatchPage(ctx, req, d, *view, matches, res);
      }
    }
  }
  for (const auto& n : names) {
    MHUB_ASSIGN_OR_RETURN(datasets::ArrayPtr column, ctx.viewer->Column(*split, n));
    table.columns.push_back(std::move(column));
  }
  std::vector<int64_t> matches;
  if (bound) {
    for (int64_t r = 0; r < table.num_rows; ++r) {
      if (bound->Matches(table, r)) matches.push_back(r);
    }
  } else {
    matches.resize(static_cast<size_t>(table.num_rows));
    for (int64_t r = 0; r < table.num_rows; ++r) matches[static_cast<size_t>(r)] = r;
  }
  if (!order.empty()) {
    Status sorted = SortRows(table, order, matches);
    if (!sorted.ok()) return Invalid("Parameter 'orderby' is invalid: " + sorted.message());
  }
  return MatchPage(ctx, req, d, *view, matches, res);
}

HubError Statistics(HubContext& ctx, const HttpRequest& req, const DatasetCall& d, HttpResponse& res) {
  const SplitInfo* split = nullptr;
  RETURN_IF_HUB_ERROR(RequireDone(req, d, &split));
  const std::string cache_key = d.job->parquet_commit + "\n" + split->config + "\n" + split->split;
  if (auto hit = ctx.viewer->CachedStatistics(cache_key)) {
    SetViewerJson(res, *hit, d.job->revision);
    return {};
  }
  MHUB_ASSIGN_OR_RETURN(auto view, OpenView(ctx, d, *split));
  const datasets::Schema& schema = view->schema;
  auto parsed = datasets::Features::FromJson(split->features.dump());
  datasets::Features feats = parsed.ok() ? std::move(parsed).value() : datasets::Features::FromSchema(schema);
  OrderedJson items = OrderedJson::array();
  for (const auto& f : schema.fields) {
    const datasets::Feature* feature = feats.Find(f.name);
    if (!feature) continue;
    MHUB_ASSIGN_OR_RETURN(datasets::ArrayPtr column, ctx.viewer->Column(*split, f.name));
    if (auto item = ColumnStatistics(f.name, *feature, {column})) items.push_back(std::move(*item));
  }
  OrderedJson j{{"num_examples", split->num_rows}, {"statistics", items}, {"partial", false}};
  std::string body = DumpJson(j);
  ctx.viewer->StoreStatistics(cache_key, body);
  SetViewerJson(res, body, d.job->revision);
  return {};
}

HubError Size(const HttpRequest& req, const DatasetCall& d, HttpResponse& res) {
  RETURN_IF_HUB_ERROR(RequireDone(req, d, nullptr));
  const std::string id = d.key.id.ToString(), want = req.Query("config");
  OrderedJson configs = OrderedJson::array(), splits = OrderedJson::array();
  uint64_t all_parquet = 0, all_memory = 0, all_original = 0;
  int64_t all_rows = 0;
  for (const auto& c : d.summary()["configs"]) {
    const std::string name = c.value("config", "");
    if (!want.empty() && name != want) continue;
    uint64_t parquet = 0, memory = 0;
    int64_t rows = 0, columns = 0;
    for (const auto& s : c["splits"]) {
      parquet += s.value("num_bytes_parquet_files", uint64_t{0});
      memory += s.value("num_bytes_memory", uint64_t{0});
      rows += s.value("num_rows", int64_t{0});
      columns = s.value("num_columns", int64_t{0});
      splits.push_back(OrderedJson{{"dataset", id},
                                   {"config", name},
                                   {"split", s.value("split", "")},
                                   {"num_bytes_parquet_files", s.value("num_bytes_parquet_files", uint64_t{0})},
                                   {"num_bytes_memory", s.value("num_bytes_memory", uint64_t{0})},
                                   {"num_rows", s.value("num_rows", int64_t{0})},
                                   {"num_columns", s.value("num_columns", int64_t{0})}});
    }
    const uint64_t original = c.value("num_bytes_original_files", uint64_t{0});
    configs.push_back(OrderedJson{{"dataset", id},
                                  {"config", name},
                                  {"num_bytes_original_files", original},
                                  {"num_bytes_parquet_files", parquet},
                                  {"num_bytes_memory", memory},
                                  {"num_rows", rows},
                                  {"num_columns", columns}});
    all_parquet += parquet;
    all_memory += memory;
    all_original += original;
    all_rows += rows;
  }
  if (!want.empty() && configs.empty()) return NotFound();
  OrderedJson size;
  if (want.empty()) {
    size["dataset"] = OrderedJson{{"dataset", id},
                                  {"num_bytes_original_files", all_original},
                                  {"num_bytes_parquet_files", all_parquet},
                                  {"num_bytes_memory", all_memory},
                                  {"num_rows", all_rows}};
    size["configs"] = configs;
  } else {
    size["config"] = configs[0];
  }
  size["splits"] = splits;
  OrderedJson j{
      {"size", size}, {"pending", OrderedJson::array()}, {"failed", OrderedJson::array()}, {"partial", false}};
  SetViewerJson(res, DumpJson(j), d.job->revision);
  return {};
}

OrderedJson ConfigInfo(const std::string& dataset, const Json& c) {
  OrderedJson splits = OrderedJson::object();
  uint64_t size = 0, download = 0;
  for (const auto& s : c["splits"]) {
    const std::string name = s.value("split", "");
    splits[name] = OrderedJson{{"name", name},
                               {"num_bytes", s.value("num_bytes_memory", uint64_t{0})},
                               {"num_examples", s.value("num_rows", int64_t{0})},
                               {"dataset_name", dataset}};
    size += s.value("num_bytes_memory", uint64_t{0});
  }
  download = c.value("num_bytes_original_files", uint64_t{0});
  return OrderedJson{{"description", ""},
                     {"citation", ""},
                     {"homepage", ""},
                     {"license", ""},
                     {"features", OrderedJson::parse(c.value("features", Json::object()).dump())},
                     {"builder_name", "parquet"},
                     {"dataset_name", dataset},
                     {"config_name", c.value("config", "")},
                     {"version", {{"version_str", "0.0.0"}, {"major", 0}, {"minor", 0}, {"patch", 0}}},
                     {"splits", splits},
                     {"download_size", download},
                     {"dataset_size", size}};
}

HubError Info(const HttpRequest& req, const DatasetCall& d, HttpResponse& res) {
  RETURN_IF_HUB_ERROR(RequireDone(req, d, nullptr));
  const std::string want = req.Query("config"), name = d.key.id.ns + "--" + d.key.id.name;
  OrderedJson info = OrderedJson::object();
  for (const auto& c : d.summary()["configs"]) {
    if (!want.empty()) {
      if (c.value("config", "") == want) info = ConfigInfo(d.key.id.name, c);
    } else {
      info[c.value("config", "")] = ConfigInfo(d.key.id.name, c);
    }
  }
  if (!want.empty() && info.empty()) return NotFound();
  OrderedJson j{{"dataset_info", info}, {"partial", false}};
  if (want.empty()) {
    j["pending"] = OrderedJson::array();
    j["failed"] = OrderedJson::array();
  }
  SetViewerJson(res, DumpJson(j), d.job->revision);
  return {};
}

HubError Parquet(HubContext& ctx, const HttpRequest& req, const DatasetCall& d, HttpResponse& res) {
  RETURN_IF_HUB_ERROR(RequireDone(req, d, nullptr));
  const std::string want = req.Query("config"), base = BaseUrl(ctx, req);
  OrderedJson files = OrderedJson::array();
  for (const auto& s : d.splits()) {
    if (!want.empty() && s.config != want) continue;
    for (const auto& shard : s.shards) {
      files.push_back(OrderedJson{{"dataset", d.key.id.ToString()},
                                  {"config", s.config},
                                  {"split", s.split},
                                  {"url", ParquetUrl(base, d.key, shard)},
                                  {"filename", shard.path.substr(shard.path.rfind('/') + 1)},
                                  {"size", shard.size}});
    }
  }
  if (!want.empty() && files.empty()) return NotFound();
  OrderedJson j{{"parquet_files", files},
                {"pending", OrderedJson::array()},
                {"failed", OrderedJson::array()},
                {"partial", false}};
  SetViewerJson(res, DumpJson(j), d.job->revision);
  return {};
}

}  // namespace

HubError HandleViewerRoute(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                           const std::string& route) {
  static const char* kRoutes[] = {"is-valid", "splits", "first-rows", "rows",       "search",
                                  "filter",   "size",   "info",       "statistics", "parquet"};
  if (std::find(std::begin(kRoutes), std::end(kRoutes), route) == std::end(kRoutes)) {
    return HubError::NotImplemented("/api/viewer/" + route.substr(0, 64));
  }
  if (req.method != "GET" && req.method != "HEAD") {
    return HubError(Status::InvalidArgument("method " + req.method + " is not allowed on " + req.raw_path), "", 405);
  }
  DatasetCall d;
  RETURN_IF_HUB_ERROR(OpenDataset(ctx, req, who, &d));
  if (ViewerDisabled(ctx, d.key)) {
    // As dataset-viewer: is-valid says no to everything, the other routes DisabledViewerError.
    if (route == "is-valid") {
      OrderedJson j{{"preview", false}, {"viewer", false}, {"search", false}, {"filter", false}, {"statistics", false}};
      SetViewerJson(res, DumpJson(j), "");
      return {};
    }
    return ViewerError(404, "DisabledViewerError", "The dataset viewer has been disabled on this dataset.");
  }
  if (route == "is-valid") return IsValid(d, res);
  if (route == "splits") return Splits(req, d, res);
  if (route == "first-rows") return FirstRows(ctx, req, d, res);
  if (route == "rows") return Rows(ctx, req, d, res);
  if (route == "search") return Search(ctx, req, d, res);
  if (route == "filter") return Filter(ctx, req, d, res);
  if (route == "size") return Size(req, d, res);
  if (route == "info") return Info(req, d, res);
  if (route == "statistics") return Statistics(ctx, req, d, res);
  return Parquet(ctx, req, d, res);
}

HubError HandleDatasetParquet(RepoCall& call, const std::vector<std::string>& rest) {
  HubContext& ctx = call.ctx;
  MHUB_RETURN_IF_ERROR(RequireRead(ctx, call.who, call.key).status());
  if (!ctx.viewer) return NotReady();
  auto main = ctx.repos->ResolveRevision(call.key, "main");
  MHUB_ASSIGN_OR_RETURN(std::shared_ptr<const JobSnapshot> snap, ctx.viewer->Job(call.key));
  const ConversionJob* job = snap ? &snap->job : nullptr;
  if (!job || !main.ok() || job->revision != *main || job->state == JobState::kPending ||
      job->state == JobState::kRunning) {
    return NotReady();
  }
  if (job->state == JobState::kFailed) return ConversionFailed(*job);
  const std::string base = BaseUrl(ctx, call.req);
  const std::string api = RepoApiUrl(base, call.key) + "/parquet";
  auto urls = [&](const SplitInfo& s) {
    Json list = Json::array();
    for (size_t i = 0; i < s.shards.size(); ++i) {
      list.push_back(api + "/" + UrlEncode(s.config) + "/" + UrlEncode(s.split) + "/" + std::to_string(i) + ".parquet");
    }
    return list;
  };
  const std::vector<SplitInfo>& splits = snap->splits;
  if (rest.size() == 4) {  // {config}/{split}/{n}.parquet -> the file on the branch
    const std::string& file = rest[3];
    if (file.size() < 9 || file.compare(file.size() - 8, 8, ".parquet") != 0) return NotFound();
    const std::string digits = file.substr(0, file.size() - 8);
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos) {
      return NotFound();
    }
    const size_t n = std::stoul(digits);
    for (const auto& s : splits) {
      if (s.config == rest[1] && s.split == rest[2] && n < s.shards.size()) {
        call.res.status = 302;
        call.res.SetHeader("Location", ParquetUrl(base, call.key, s.shards[n]));
        call.res.SetHeader("X-Revision", job->revision);
        return {};
      }
    }
    return NotFound();
  }
  Json out = Json::object();
  for (const auto& s : splits) {
    if (rest.size() >= 2 && s.config != rest[1]) continue;
    if (rest.size() == 3 && s.split != rest[2]) continue;
    out[s.config][s.split] = urls(s);
  }
  if (rest.size() >= 2 && out.empty()) return NotFound();
  Json answer = rest.size() == 1 ? out : rest.size() == 2 ? out[rest[1]] : out[rest[1]][rest[2]];
  SetJson(call.res, answer);
  call.res.SetHeader("X-Revision", job->revision);
  return {};
}

}  // namespace mhub::server::viewer
