// `mhub datasets ...`: inspect, read, convert and push datasets (local files, folders, hub repos).
#include "cmd_datasets_common.h"

MHUB_REGISTER_COMMAND(datasets) {
  namespace d = mhub::cli::datasets_cmd;
  auto* sub = app.add_subcommand("datasets",
                                 "Read, convert and push datasets (CSV, JSON Lines, text, Parquet; "
                                 "folders and hub dataset repos)");
  sub->require_subcommand(1);
  std::vector<d::Subcommand> subs = {d::SetupInfo(sub), d::SetupHead(sub), d::SetupRows(sub), d::SetupConvert(sub),
                                     d::SetupPush(sub)};
  return [subs]() -> int {
    for (const auto& s : subs)
      if (s.app->parsed()) return s.run();
    return 2;
  };
}
