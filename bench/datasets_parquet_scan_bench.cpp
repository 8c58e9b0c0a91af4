// Full scan of a Parquet file of dictionary strings + ints (SNAPPY), one thread: mhub's reader vs
// DuckDB (SET threads=1; SELECT sum(length(s)), sum(i)) and parquet-wasm (Arrow's Rust reader,
// decode only), all in the same run. Wall and CPU seconds are both printed: on a shared machine the
// CPU figures (this process / the peer's node process, all threads) are the fair comparison. The sums are checked equal
// to DuckDB's before any time counts. The file (default ~125M rows, ~1 GB) is written once by hyparquet-writer through
// tests/datasets/oracle/pq_read_bench.mjs and kept in $TMPDIR. Options: --rows=N, --reps=N
// (median of N runs each, default 3), --file=PATH (scan that file instead; must have s and i),
// --mhub-only (no peers, for profiling).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/datasets/parquet.h"

using mhub::datasets::ParquetFile;
using mhub::datasets::ParquetReadOptions;

namespace {

// GCC/Clang 128-bit integers (__extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

double CpuNow() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::string Run(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p.get())) > 0) out.append(buf.data(), n);
  return out;
}

std::string CpuName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Sums {
  long long len = 0;
  Int128 i = 0;
};

std::string ToString(Int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  UInt128 u = neg ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
  std::string s;
  while (u) s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10))), u /= 10;
  return neg ? "-" + s : s;
}

// Every value touched: string lengths (non-null) and int sums (non-null).
Sums ScanMhub(const std::string& path) {
  auto f = ParquetFile::Open(path);
  if (!f.ok()) {
    std::cerr << f.status() << "\n";
    std::exit(1);
  }
  ParquetReadOptions o;
  o.batch_rows = int64_t{1} << 30;  // one batch per row group
  auto reader = f->Stream(o);
  if (!reader.ok()) std::exit(1);
  int si = f->schema().FieldIndex("s"), ii = f->schema().FieldIndex("i");
  Sums s;
  while (true) {
    auto b = (*reader)->Next();
    if (!b.ok()) {
      std::cerr << b.status() << "\n";
      std::exit(1);
    }
    if (!*b) break;
    const auto& sc = *(*b)->columns[si];
    const auto& ic = *(*b)->columns[ii];
    const int64_t* offs = reinterpret_cast<const int64_t*>(sc.offsets.data);
    // Lengths by UTF-8 code points, as DuckDB's length(): count the non-continuation bytes.
    const uint8_t* bytes = sc.values.data;
    int64_t total = offs[sc.length];
    // Continuation bytes are 10xxxxxx: bit 7 set, bit 6 clear; eight bytes per step.
    long long cont = 0;
    int64_t k = 0;
    for (; k + 8 <= total; k += 8) {
      uint64_t w;
      std::memcpy(&w, bytes + k, 8);
      uint64_t m = (w & ~(w << 1) & 0x8080808080808080ull) >> 7;  // one bit per continuation byte
      cont += static_cast<long long>((m * 0x0101010101010101ull) >> 56);
    }
    for (; k < total; ++k) cont += (bytes[k] & 0xC0) == 0x80;
    long long chars = total - cont;
    s.len += chars;
    const int64_t* iv = reinterpret_cast<const int64_t*>(ic.values.data);
    Int128 acc = 0;
    for (int64_t k = 0; k < ic.length; ++k) acc += iv[k];  // null slots hold 0 (array.h)
    s.i += acc;
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 125'000'000;
  int reps = 3;
  std::string file;
  bool mhub_only = false;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg.rfind("--rows=", 0) == 0)
      rows = std::stoll(arg.substr(7));
    else if (arg.rfind("--reps=", 0) == 0)
      reps = std::max(1, std::stoi(arg.substr(7)));
    else if (arg.rfind("--file=", 0) == 0)
      file = arg.substr(7);
    else if (arg == "--mhub-only")
      mhub_only = true;
    else {
      std::cerr << "usage: datasets_parquet_scan_bench [--rows=N] [--reps=N] [--file=PATH] [--mhub-only]\n";
      return 2;
    }
  }
  const std::string src = MHUB_SOURCE_DIR;
  const std::string script = "cd '" + src + "' && node tests/datasets/oracle/pq_read_bench.mjs ";
  if (file.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    file = std::string(tmp ? tmp : "/tmp") + "/mhub_parquet_scan_bench_" + std::to_string(rows) + ".parquet";
    if (!std::filesystem::exists(file)) {
      std::cout << "writing " << file << " (" << rows << " rows, hyparquet-writer) ..." << std::endl;
      std::string out = Run(script + "gen '" + file + ".tmp' " + std::to_string(rows));
      std::filesystem::rename(file + ".tmp", file);
    }
  }
  double mb = std::filesystem::file_size(file) / 1e6;
  std::cout << "file " << file << ": " << mb << " MB\nCPU: " << CpuName() << " (one thread each; machine shared)\n";

  auto w_ok = [](const mhub::Json& j) { return j.contains("seconds") && j["seconds"].is_number(); };
  std::vector<double> t_mhub, t_duck, t_wasm, c_mhub, c_duck, c_wasm;
  Sums sums;
  std::string duck_len, duck_i;
  for (int r = 0; r < reps; ++r) {
    double t0 = Now(), c0 = CpuNow();
    sums = ScanMhub(file);
    t_mhub.push_back(Now() - t0);
    c_mhub.push_back(CpuNow() - c0);
    if (mhub_only) {
      std::printf("mhub %.3f s\n", t_mhub.back());
      continue;
    }
    auto d = mhub::Json::parse(Run(script + "duckdb '" + file + "'"), nullptr, false);
    if (!d.is_object() || !w_ok(d)) {
      std::cerr << "duckdb peer failed\n";
      return 1;
    }
    t_duck.push_back(d["seconds"].get<double>());
    c_duck.push_back(d["cpu_seconds"].get<double>());
    duck_len = d["sum_len"].get<std::string>();
    duck_i = d["sum_i"].get<std::string>();
    auto w = mhub::Json::parse(Run(script + "wasm '" + file + "'"), nullptr, false);
    if (!w.is_object() || !w_ok(w)) {
      std::cerr << "parquet-wasm peer failed\n";
      return 1;
    }
    t_wasm.push_back(w["seconds"].get<double>());
    c_wasm.push_back(w["cpu_seconds"].get<double>());
  }
  if (mhub_only) return 0;
  bool same = duck_len == std::to_string(sums.len) && duck_i == ToString(sums.i);
  std::printf("sums: mhub len=%lld i=%s, duckdb len=%s i=%s -> %s\n", sums.len, ToString(sums.i).c_str(),
              duck_len.c_str(), duck_i.c_str(), same ? "equal" : "DIFFERENT");
  double m = Median(t_mhub), d = Median(t_duck), w = Median(t_wasm);
  double cm = Median(c_mhub), cd = Median(c_duck), cw = Median(c_wasm);
  std::printf("median of %d, wall: mhub %.3f s (%.0f MB/s), duckdb 1 thread %.3f s, parquet-wasm %.3f s\n", reps, m,
              mb / m, d, w);
  std::printf("median of %d, CPU:  mhub %.3f s (%.0f MB/s), duckdb 1 thread %.3f s, parquet-wasm %.3f s\n", reps, cm,
              mb / cm, cd, cw);
  std::printf("mhub vs duckdb: %.2fx wall, %.2fx CPU; mhub vs parquet-wasm: %.2fx wall, %.2fx CPU\n", d / m, cd / cm,
              w / m, cw / cm);
  return same ? 0 : 1;
}
