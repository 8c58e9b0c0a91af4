// `mhub search QUERY [--task --library --language --license --author --sort --limit]`: hub repos
// whose id contains QUERY; a table (id, downloads, likes, updated, task), ids only with -q, or --json.
#include <iostream>

#include "cmd_hub_common.h"
#include "table.h"

namespace {

struct SearchOptions {
  std::string query;
  std::string type = "model";
  std::string task;
  std::string library;
  std::string language;
  std::string license;
  std::string author;
  std::vector<std::string> filter;
  std::string sort;
  int64_t limit = 20;
  bool json = false;
  bool quiet = false;
};

}  // namespace

MHUB_REGISTER_COMMAND(search) {
  auto* sub = app.add_subcommand("search", "Search hub repos");
  auto opts = std::make_shared<SearchOptions>();
  sub->add_option("query", opts->query, "substring of the repo id");
  mhub::cli::AddRepoTypeOption(sub, opts->type);
  sub->add_option("--task", opts->task, "pipeline tag, e.g. text-classification");
  sub->add_option("--library", opts->library, "library tag, e.g. transformers");
  sub->add_option("--language", opts->language, "language tag, e.g. en");
  sub->add_option("--license", opts->license, "license, e.g. mit");
  sub->add_option("--author", opts->author, "namespace");
  sub->add_option("--filter", opts->filter, "any tag filter (repeatable)");
  sub->add_option("--sort", opts->sort, "downloads, likes, lastModified, createdAt, trendingScore");
  sub->add_option("--limit", opts->limit, "at most this many results (0 = all)")->default_val(20);
  sub->add_flag("--json", opts->json, "print the results as JSON");
  sub->add_flag("-q,--quiet", opts->quiet, "print the repo ids only, one per line");
  return [opts]() -> int {
    auto type = mhub::hub::ParseRepoType(opts->type);
    if (!type.ok()) return mhub::cli::print_error(type.status());
    mhub::hub::ListModelsOptions o;
    o.type = *type;
    o.search = opts->query;
    o.author = opts->author;
    o.pipeline_tag = opts->task;
    o.filter = opts->filter;
    if (!opts->library.empty()) o.filter.push_back(opts->library);
    if (!opts->language.empty()) o.filter.push_back(opts->language);
    if (!opts->license.empty()) o.filter.push_back("license:" + opts->license);
    o.sort = opts->sort;
    o.limit = opts->limit;
    auto repos = mhub::hub::HubClient::FromEnv().list_models(o);
    if (!repos.ok()) return mhub::cli::print_error(repos.status());
    if (opts->json) {
      mhub::Json out = mhub::Json::array();
      for (const auto& r : *repos) {
        out.push_back({{"id", r.id},
                       {"downloads", r.downloads},
                       {"likes", r.likes},
                       {"pipeline_tag", r.pipeline_tag},
                       {"tags", r.tags},
                       {"lastModified", r.last_modified}});
      }
      std::cout << mhub::DumpJson(out) << "\n";
      return 0;
    }
    if (opts->quiet) {
      for (const auto& r : *repos) std::cout << r.id << "\n";
      return 0;
    }
    mhub::cli::Table table({"ID", ">DOWNLOADS", ">LIKES", "UPDATED", "TASK"});
    for (const auto& r : *repos)
      table.AddRow({r.id, mhub::cli::HumanCount(r.downloads), mhub::cli::HumanCount(r.likes),
                    mhub::cli::ShortDate(r.last_modified), r.pipeline_tag});
    table.Print(std::cout);
    return 0;
  };
}
