// `mhub datasets push PATH_OR_REPO REPO_ID`: Parquet shards + dataset card to a hub dataset repo, as
// `datasets` push_to_hub writes them (data/<split>-0000k-of-0000n.parquet, README.md dataset_info and
// configs), in one commit.
#include <iostream>

#include "cmd_datasets_common.h"
#include "mhub/base/json.h"

namespace mhub::cli::datasets_cmd {

mhub::Status OpenAllSplits(const std::string& path, const mhub::datasets::LoadOptions& load,
                           std::vector<mhub::datasets::SplitStream>* out);

Subcommand SetupPush(CLI::App* parent) {
  struct Options {
    std::string input, repo;
    mhub::datasets::LoadOptions load;
    mhub::datasets::PushOptions push;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* sub = parent->add_subcommand("push", "Push a dataset to a hub dataset repo as Parquet shards + card");
  sub->add_option("input", o->input, "a data file, a folder, or a hub dataset repo id")->required();
  sub->add_option("repo", o->repo, "the target dataset repo id (namespace/name)")->required();
  AddLoadOptions(sub, o->load);
  sub->add_option("--config-name", o->push.config_name, "the config to write (default: default, under data/)")
      ->default_val("default");
  sub->add_option("--branch", o->push.revision, "the branch to commit to")->default_val("main");
  sub->add_flag("--private", o->push.is_private, "create the repo private");
  sub->add_option("--max-shard-bytes", o->push.max_shard_bytes, "Arrow bytes per Parquet shard")
      ->default_val(500000000);
  sub->add_option("--commit-message,-m", o->push.commit_message, "the commit message");
  sub->add_flag("--json", o->json, "print {\"commit\", \"repo\"} as JSON");
  return {sub, [o]() -> int {
            if (o->repo.find('/') == std::string::npos)
              return print_error("'" + o->repo + "' is not a repo id: ids are namespace/name");
            std::vector<mhub::datasets::SplitStream> streams;
            auto st = OpenAllSplits(o->input, o->load, &streams);
            if (!st.ok()) return print_error(st);
            std::vector<mhub::datasets::NamedSplit> splits;
            for (auto& s : streams) splits.push_back({s.split, s.reader.get()});
            auto commit = mhub::datasets::PushSplitsToHub(splits, o->repo, o->push);
            if (!commit.ok()) return print_error(commit.status());
            if (o->json)
              std::cout << mhub::DumpJson(mhub::Json{{"commit", *commit}, {"repo", o->repo}}) << "\n";
            else
              std::cout << "Pushed " << splits.size() << (splits.size() == 1 ? " split" : " splits") << " to datasets/"
                        << o->repo << " @ " << *commit << "\n";
            return 0;
          }};
}

}  // namespace mhub::cli::datasets_cmd
