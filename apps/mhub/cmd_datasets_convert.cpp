// `mhub datasets convert INPUT OUTPUT`: a file, folder or hub repo into one file (OUTPUT ends in
// .parquet, .jsonl or .csv: one split) or into a folder laid out as push_to_hub lays out a repo
// (data/<split>-0000k-of-0000n.parquet + README.md). `mhub datasets push` sends that to the hub.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cmd_datasets_common.h"
#include "mhub/base/json.h"
#include "mhub/datasets/parquet.h"
#include "mhub/datasets/value.h"

namespace mhub::cli::datasets_cmd {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One CSV field: JSON text for nested values, empty for null, quoted when it must be.
std::string CsvField(const mhub::datasets::Value& v) {
  if (v.is_null()) return "";
  std::string s = v.kind() == mhub::datasets::Value::Kind::kString ? v.as_string() : v.ToJson();
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

mhub::Status WriteOneFile(mhub::datasets::TableReader& reader, const std::string& out) {
  namespace ds = mhub::datasets;
  if (EndsWith(out, ".parquet")) {
    auto w = ds::ParquetWriter::Create(out, reader.schema());
    if (!w.ok()) return w.status();
    for (;;) {
      MHUB_ASSIGN_OR_RETURN(auto batch, reader.Next());
      if (!batch) break;
      MHUB_RETURN_IF_ERROR(w->Write(*batch));
    }
    return w->Close();
  }
  // Text formats: a temp file renamed at the end, so a failure leaves no half-written output.
  std::string tmp = out + ".tmp";
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  if (!f) return mhub::Status::IOError("cannot write " + tmp);
  bool csv = EndsWith(out, ".csv");
  if (csv) {
    bool first = true;
    for (const auto& field : reader.schema().fields) {
      f << (first ? "" : ",") << CsvField(ds::Value::String(field.name));
      first = false;
    }
    f << "\n";
  }
  for (;;) {
    auto batch = reader.Next();
    if (!batch.ok() || !*batch) {
      if (!batch.ok()) {
        f.close();
        std::filesystem::remove(tmp);
        return batch.status();
      }
      break;
    }
    for (int64_t i = 0; i < (*batch)->num_rows; ++i) {
      if (!csv) {
        f << ds::RowToJson(**batch, i) << "\n";
        continue;
      }
      for (size_t c = 0; c < (*batch)->columns.size(); ++c)
        f << (c ? "," : "") << CsvField(ds::GetValue(*(*batch)->columns[c], i));
      f << "\n";
    }
  }
  f.close();
  if (!f) return mhub::Status::IOError("cannot write " + tmp);
  std::error_code ec;
  std::filesystem::rename(tmp, out, ec);
  if (ec) return mhub::Status::IOError("cannot rename " + tmp + " to " + out + ": " + ec.message());
  return mhub::Status::OK();
}

}  // namespace

// Opens every split of the chosen config (or only --split) as streams.
mhub::Status OpenAllSplits(const std::string& path, const mhub::datasets::LoadOptions& load,
                           std::vector<mhub::datasets::SplitStream>* out) {
  MHUB_ASSIGN_OR_RETURN(auto configs, mhub::datasets::GetDatasetConfigs(path, load));
  MHUB_ASSIGN_OR_RETURN(auto config, mhub::datasets::PickConfig(configs, load.config));
  for (const auto& s : config.splits) {
    if (!load.split.empty() && s.split != load.split) continue;
    mhub::datasets::LoadOptions one = load;
    one.config = config.name;
    one.split = s.split;
    MHUB_ASSIGN_OR_RETURN(auto stream, mhub::datasets::OpenSplit(path, one));
    out->push_back(std::move(stream));
  }
  if (out->empty()) return mhub::Status::NotFound("unknown split '" + load.split + "' in config '" + config.name + "'");
  return mhub::Status::OK();
}

Subcommand SetupConvert(CLI::App* parent) {
  struct Options {
    std::string input, output;
    mhub::datasets::LoadOptions load;
    std::string config_name = "default";
    int64_t max_shard_bytes = 500000000;
  };
  auto o = std::make_shared<Options>();
  auto* sub = parent->add_subcommand(
      "convert", "Convert a dataset to Parquet/JSONL/CSV (OUTPUT file) or to a push_to_hub folder (OUTPUT folder)");
  sub->add_option("input", o->input, "a data file, a folder, or a hub dataset repo id")->required();
  sub->add_option("output", o->output, "OUT.parquet, OUT.jsonl, OUT.csv (one split), or a folder")->required();
  AddLoadOptions(sub, o->load);
  sub->add_option("--config-name", o->config_name, "folder output: the config name in the card")
      ->default_val("default");
  sub->add_option("--max-shard-bytes", o->max_shard_bytes, "folder output: Arrow bytes per Parquet shard")
      ->default_val(500000000);
  return {sub, [o]() -> int {
            bool one_file =
                EndsWith(o->output, ".parquet") || EndsWith(o->output, ".jsonl") || EndsWith(o->output, ".csv");
            if (one_file) {
              auto stream = mhub::datasets::OpenSplit(o->input, o->load);
              if (!stream.ok()) return print_error(stream.status());
              auto st = WriteOneFile(*stream->reader, o->output);
              if (!st.ok()) return print_error(st);
              return 0;
            }
            std::vector<mhub::datasets::SplitStream> streams;
            auto st = OpenAllSplits(o->input, o->load, &streams);
            if (!st.ok()) return print_error(st);
            std::vector<mhub::datasets::NamedSplit> splits;
            for (auto& s : streams) splits.push_back({s.split, s.reader.get()});
            mhub::datasets::PushOptions po;
            po.config_name = o->config_name;
            po.max_shard_bytes = o->max_shard_bytes;
            auto exported = mhub::datasets::ExportToFolder(splits, o->output, po);
            if (!exported.ok()) return print_error(exported.status());
            for (const auto& s : *exported)
              for (const auto& f : s.files) std::cout << f << "\n";
            std::cout << "README.md\n";
            return 0;
          }};
}

}  // namespace mhub::cli::datasets_cmd
