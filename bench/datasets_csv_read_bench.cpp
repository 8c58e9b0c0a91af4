// CSV read speed: mhub's reader (OpenDataFile: type inference pass + batch building) against
// pandas.read_csv, which is what `datasets`' csv builder calls, on the same generated file
// (ints, floats, bools, quoted strings with commas, ~10% missing). Prints MB/s of both and the ratio.
// Usage: datasets_csv_read_bench [rows]   (default 1,000,000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "mhub/datasets/load.h"

int main(int argc, char** argv) {
  int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1000000;
  std::string path = "/tmp/mhub_csv_bench_" + std::to_string(rows) + ".csv";
  {
    std::ofstream f(path, std::ios::binary);
    std::mt19937 rng(1);
    f << "id,score,flag,name,comment\n";
    for (int64_t i = 0; i < rows; ++i) {
      f << i << "," << (rng() % 10 == 0 ? std::string() : std::to_string((rng() % 100000) / 7.0)) << ","
        << (rng() % 2 ? "true" : "false") << ",name" << rng() % 5000 << ",";
      if (rng() % 10 != 0) f << "\"a comment, with a comma and \"\"quotes\"\" " << rng() % 1000 << "\"";
      f << "\n";
    }
  }
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  double mb = static_cast<double>(in.tellg()) / 1e6;

  double best = 1e9;
  int64_t seen = 0;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    auto reader = mhub::datasets::OpenDataFile(path);
    if (!reader.ok()) {
      std::fprintf(stderr, "%s\n", reader.status().ToString().c_str());
      return 1;
    }
    seen = 0;
    for (;;) {
      auto batch = (*reader)->Next();
      if (!batch.ok() || !*batch) break;
      seen += (*batch)->num_rows;
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::string cmd =
      "/usr/bin/python3 -c \"import time,pandas as pd,sys; b=1e9\nfor _ in range(3):\n t=time.perf_counter(); "
      "df=pd.read_csv(sys.argv[1]); b=min(b,time.perf_counter()-t)\nprint(b, len(df))\" " +
      path;
  FILE* p = ::popen(cmd.c_str(), "r");
  double pandas_s = 0;
  long long pandas_rows = 0;
  if (p == nullptr || std::fscanf(p, "%lf %lld", &pandas_s, &pandas_rows) != 2) {
    std::fprintf(stderr, "pandas run failed\n");
    return 1;
  }
  ::pclose(p);
  std::printf("csv read, %lld rows, %.1f MB (best of 3, one thread)\n", static_cast<long long>(seen), mb);
  std::printf("  mhub   %.3f s  %.1f MB/s\n", best, mb / best);
  std::printf("  pandas %.3f s  %.1f MB/s  (%lld rows)\n", pandas_s, mb / pandas_s, pandas_rows);
  std::printf("  ratio mhub/pandas speed: %.2fx\n", pandas_s / best);
  std::remove(path.c_str());
  return 0;
}
