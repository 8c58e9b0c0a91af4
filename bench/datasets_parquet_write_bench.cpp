// Parquet writing speed: mhub's ParquetWriter against parquet-wasm (Apache Arrow's Rust writer in
// WebAssembly) writing the same ~200 MB table (ids, class labels, scores with nulls, text) with the
// same codec and row group size. Prints both times and the ratio with the CPU's name.
// Usage: datasets_parquet_write_bench [ROWS]   (default 3,000,000 rows, about 200 MB in memory)
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "mhub/datasets/parquet.h"

namespace {

using namespace mhub::datasets;

std::string CpuName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

mhub::datasets::Buffer Own(std::vector<uint8_t> v) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(v));
  Buffer b;
  b.data = owner->data();
  b.size = owner->size();
  b.owner = owner;
  return b;
}

template <typename T>
ArrayPtr Fixed(DataTypePtr type, const std::vector<T>& v, std::vector<uint8_t> validity = {}, int64_t nulls = 0) {
  auto a = std::make_shared<Array>();
  a->type = std::move(type);
  a->length = static_cast<int64_t>(v.size());
  std::vector<uint8_t> bytes(v.size() * sizeof(T));
  std::memcpy(bytes.data(), v.data(), bytes.size());
  a->values = Own(std::move(bytes));
  if (nulls > 0) a->validity = Own(std::move(validity));
  a->null_count = nulls;
  return a;
}

int64_t ArrayBytes(const Array& a) {
  int64_t n = static_cast<int64_t>(a.validity.size + a.offsets.size + a.values.size);
  for (const ArrayPtr& c : a.children) n += ArrayBytes(*c);
  return n;
}

Table MakeTable(int64_t rows) {
  std::mt19937_64 rng(7);
  std::vector<std::string> words;
  for (int i = 0; i < 5000; ++i) {
    std::string w;
    int len = 2 + static_cast<int>(rng() % 9);
    for (int k = 0; k < len; ++k) w.push_back(static_cast<char>('a' + rng() % 26));
    words.push_back(w);
  }
  std::vector<int64_t> id(rows);
  std::vector<int32_t> label(rows);
  std::vector<double> score(rows);
  std::vector<uint8_t> score_valid((rows + 7) / 8, 0);
  int64_t score_nulls = 0;
  std::vector<uint8_t> text;
  std::vector<int64_t> offsets = {0};
  for (int64_t i = 0; i < rows; ++i) {
    id[i] = i;
    label[i] = static_cast<int32_t>(rng() % 10);
    if (rng() % 10 == 0) {
      ++score_nulls;
    } else {
      score_valid[i >> 3] |= static_cast<uint8_t>(1 << (i & 7));
      score[i] = static_cast<double>(rng() % 100000) / 1000.0;
    }
    int n = 3 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) {
      const std::string& w = words[rng() % words.size()];
      if (k) text.push_back(' ');
      text.insert(text.end(), w.begin(), w.end());
    }
    offsets.push_back(static_cast<int64_t>(text.size()));
  }
  auto t = std::make_shared<Array>();
  t->type = String();
  t->length = rows;
  std::vector<uint8_t> off(offsets.size() * 8);
  std::memcpy(off.data(), offsets.data(), off.size());
  t->offsets = Own(std::move(off));
  t->values = Own(std::move(text));

  Table table;
  table.schema.fields = {{"id", Int64(), false}, {"label", Int32(), false}, {"score", Float64()}, {"text", String()}};
  table.columns = {Fixed(Int64(), id), Fixed(Int32(), label), Fixed(Float64(), score, score_valid, score_nulls), t};
  table.num_rows = rows;
  return table;
}

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = argc > 1 ? std::atoll(argv[1]) : 3000000;
  const int64_t row_group_rows = 100000;
  Table table = MakeTable(rows);
  int64_t in_bytes = 0;
  for (const ArrayPtr& c : table.columns) in_bytes += ArrayBytes(*c);
  char dir_template[] = "/tmp/mhub-pqwrite-bench-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  std::printf("table: %lld rows, %.1f MB in memory; row groups of %lld rows; CPU: %s\n", static_cast<long long>(rows),
              in_bytes / 1e6, static_cast<long long>(row_group_rows), CpuName().c_str());

  struct Case {
    const char* name;
    ParquetCodec codec;
  };
  for (Case c : {Case{"snappy", ParquetCodec::kSnappy}, Case{"zstd", ParquetCodec::kZstd}}) {
    ParquetWriteOptions o;
    o.codec = c.codec;
    o.row_group_rows = row_group_rows;
    std::string path = dir + "/" + c.name + ".parquet";
    double best = 1e30;
    for (int run = 0; run < 2; ++run) {
      auto t0 = std::chrono::steady_clock::now();
      mhub::Status st = WriteParquet(path, table, o);
      double s = Seconds(std::chrono::steady_clock::now() - t0);
      if (!st.ok()) {
        std::fprintf(stderr, "mhub: error: %s\n", st.ToString().c_str());
        return 1;
      }
      best = s < best ? s : best;
    }
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    long long mhub_size = static_cast<long long>(f.tellg());
    std::string cmd = std::string("cd ") + MHUB_SOURCE_DIR + " && node tests/datasets/oracle/pq_write_bench.mjs " +
                      path + " " + c.name + " " + std::to_string(row_group_rows);
    FILE* p = popen(cmd.c_str(), "r");
    char buf[256] = {0};
    size_t got = p ? fread(buf, 1, sizeof(buf) - 1, p) : 0;
    int rc = p ? pclose(p) : -1;
    double peer_ms = 0;
    long long peer_size = 0;
    if (rc != 0 || got == 0 || std::sscanf(buf, "{\"ms\":%lf,\"bytes\":%lld", &peer_ms, &peer_size) != 2) {
      std::printf("%-6s mhub %.3f s (%.0f MB/s, %lld bytes); parquet-wasm failed: %s\n", c.name, best,
                  in_bytes / 1e6 / best, mhub_size, buf);
      continue;
    }
    double peer = peer_ms / 1000.0;
    std::printf(
        "%-6s mhub %.3f s (%.0f MB/s, file %.1f MB) | parquet-wasm %.3f s (%.0f MB/s, file %.1f MB) | "
        "mhub is %.2fx faster (1 thread; %s)\n",
        c.name, best, in_bytes / 1e6 / best, mhub_size / 1e6, peer, in_bytes / 1e6 / peer, peer_size / 1e6, peer / best,
        CpuName().c_str());
    std::remove(path.c_str());
  }
  rmdir(dir.c_str());
  return 0;
}
