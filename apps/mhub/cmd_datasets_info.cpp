// `mhub datasets info PATH_OR_REPO [--revision R] [--json]`: the configs and splits as `datasets`
// resolves them (builder, files), and the columns of the default (or --config) config.
#include <iostream>

#include "cmd_datasets_common.h"
#include "mhub/base/json.h"

namespace mhub::cli::datasets_cmd {

Subcommand SetupInfo(CLI::App* parent) {
  struct Options {
    std::string path;
    mhub::datasets::LoadOptions load;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* sub = parent->add_subcommand("info", "Show a dataset's configs, splits, files and columns");
  sub->add_option("path", o->path, "a data file, a folder, or a hub dataset repo id")->required();
  AddLoadOptions(sub, o->load);
  sub->add_flag("--json", o->json, "print JSON");
  return {sub, [o]() -> int {
            auto configs = mhub::datasets::GetDatasetConfigs(o->path, o->load);
            if (!configs.ok()) return print_error(configs.status());
            // The columns of one split: the default config's first split unless --config/--split say.
            mhub::datasets::Schema schema;
            auto stream = mhub::datasets::OpenSplit(o->path, o->load);
            std::string shown;
            if (stream.ok()) {
              schema = stream->reader->schema();
              shown = stream->config.name + "/" + stream->split;
            } else if (!o->load.config.empty() || !o->load.split.empty()) {
              return print_error(stream.status());
            }
            if (o->json) {
              mhub::Json out = {{"configs", mhub::Json::array()}};
              for (const auto& c : *configs) {
                mhub::Json jc = {{"config_name", c.name},
                                 {"default", c.is_default},
                                 {"builder", c.builder},
                                 {"builder_kwargs", c.builder_kwargs},
                                 {"splits", mhub::Json::array()}};
                for (const auto& s : c.splits) jc["splits"].push_back({{"name", s.split}, {"files", s.files}});
                out["configs"].push_back(jc);
              }
              if (!shown.empty()) {
                out["columns_of"] = shown;
                out["columns"] = mhub::Json::array();
                for (const auto& f : schema.fields)
                  out["columns"].push_back({{"name", f.name}, {"type", f.type->ToString()}});
              }
              std::cout << mhub::DumpJson(out, 2) << "\n";
              return 0;
            }
            for (const auto& c : *configs) {
              std::cout << "config " << c.name << (c.is_default ? " (default)" : "") << ": " << c.builder;
              for (const auto& [k, v] : c.builder_kwargs) std::cout << " " << k << "=" << mhub::DumpJson(mhub::Json(v));
              std::cout << "\n";
              for (const auto& s : c.splits)
                std::cout << "  " << s.split << ": " << s.files.size() << (s.files.size() == 1 ? " file" : " files")
                          << " (" << s.files.front() << (s.files.size() > 1 ? ", ..." : "") << ")\n";
            }
            if (!shown.empty()) {
              std::cout << "columns of " << shown << ":\n";
              for (const auto& f : schema.fields) std::cout << "  " << f.name << ": " << f.type->ToString() << "\n";
            }
            return 0;
          }};
}

}  // namespace mhub::cli::datasets_cmd
