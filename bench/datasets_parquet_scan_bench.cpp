// Full scan of a Parquet file of dictionary strings + ints (SNAPPY): mhub's reader vs DuckDB
// (SET threads=1; SELECT sum(length(s)), sum(i)) and parquet-wasm (Arrow's Rust reader, decode
// only), interleaved in the same run (the machine is shared: medians of --reps runs each). Two
// files: the base file (default 12M rows, ~96 MB, written once by hyparquet-writer through
// tests/datasets/oracle/pq_read_bench.mjs) and a ~1 GB file made of the base file's row groups
// --copies times (the bytes of every page are hyparquet-writer's; only the footer is ours). Both
// are cached in build/bench-cache/ (never in the repository).
//
// mhub runs in a forked child so its peak RSS (ru_maxrss) and CPU seconds are its own: one thread
// (the fair match for DuckDB's one thread), and --threads=N (default 2) decoding columns side by
// side. Each streams batches of 64k rows (ParquetFile::Stream: page by page, mapped pages handed
// back per row group), so the peak RSS stays about a row group's pages whatever the file size; the
// peers' peak RSS is their node process's (node itself is ~45 MB). The sums are checked equal to
// DuckDB's before any time counts. CPU seconds (all threads) are the fair comparison on a loaded
// machine. Options: --rows=N (base file rows), --copies=N (0: no large file), --reps=N (default 3),
// --threads=N, --file=PATH (scan that file only; must have s and i), --wasm-large (parquet-wasm on
// the large file too; slow), --mhub-only (no peers, for profiling).
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
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_cpu.h"
#include "datasets/parquet/metadata_decode.h"
#include "datasets/parquet/metadata_encode.h"
#include "mhub/base/json.h"
#include "mhub/datasets/parquet.h"

using mhub::datasets::ParquetFile;
using mhub::datasets::ParquetReadOptions;

namespace {

// GCC/Clang 128-bit integers (__extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

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
Sums ScanMhub(const std::string& path, int threads) {
  auto f = ParquetFile::Open(path);
  if (!f.ok()) {
    std::cerr << f.status() << "\n";
    std::exit(1);
  }
  ParquetReadOptions o;
  o.batch_rows = 65536;
  o.threads = threads;
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

struct MhubRun {
  Sums sums;
  double wall = 0, cpu = 0, rss_mb = 0;
};

// ScanMhub in a forked child: its own peak RSS and CPU time (from wait4), sums through a pipe.
MhubRun ScanMhubChild(const std::string& path, int threads) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(1);
  double t0 = Now();
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Sums s = ScanMhub(path, threads);
    ssize_t w = write(fds[1], &s, sizeof(s));
    _exit(w == static_cast<ssize_t>(sizeof(s)) ? 0 : 1);
  }
  close(fds[1]);
  MhubRun r;
  ssize_t got = read(fds[0], &r.sums, sizeof(r.sums));
  close(fds[0]);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  r.wall = Now() - t0;
  if (got != static_cast<ssize_t>(sizeof(r.sums)) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "mhub scan failed\n";
    std::exit(1);
  }
  r.cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
  r.rss_mb = ru.ru_maxrss / 1024.0;
  return r;
}

// The large file: the base file's data bytes `copies` times and a footer whose row groups point at
// each copy (offsets shifted; page index references dropped, as its offsets name the first copy).
void WriteCopies(const std::string& base, const std::string& out, int copies) {
  namespace pq = mhub::datasets::parquet;
  std::ifstream in(base, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint32_t footer_len;
  std::memcpy(&footer_len, bytes.data() + bytes.size() - 8, 4);
  const size_t data_end = bytes.size() - 8 - footer_len;
  auto meta = pq::DecodeFileMetaData(reinterpret_cast<const uint8_t*>(bytes.data()) + data_end, footer_len);
  if (!meta.ok()) {
    std::cerr << meta.status() << "\n";
    std::exit(1);
  }
  pq::FileMetaData m = *meta;
  const int64_t span = static_cast<int64_t>(data_end) - 4;
  std::vector<pq::RowGroup> groups;
  for (int c = 0; c < copies; ++c) {
    const int64_t shift = span * c;
    for (pq::RowGroup g : meta->row_groups) {
      if (g.file_offset) *g.file_offset += shift;
      g.ordinal.reset();
      for (pq::ColumnChunk& cc : g.columns) {
        cc.file_offset += shift;
        cc.offset_index_offset.reset();
        cc.offset_index_length.reset();
        cc.column_index_offset.reset();
        cc.column_index_length.reset();
        if (!cc.meta_data) continue;
        cc.meta_data->data_page_offset += shift;
        if (cc.meta_data->dictionary_page_offset) *cc.meta_data->dictionary_page_offset += shift;
        if (cc.meta_data->index_page_offset) *cc.meta_data->index_page_offset += shift;
        cc.meta_data->bloom_filter_offset.reset();
        cc.meta_data->bloom_filter_length.reset();
      }
      groups.push_back(std::move(g));
    }
  }
  m.row_groups = std::move(groups);
  m.num_rows = meta->num_rows * copies;
  std::string footer;
  pq::EncodeFileMetaData(m, &footer);
  std::ofstream o(out + ".tmp", std::ios::binary);
  o.write("PAR1", 4);
  for (int c = 0; c < copies; ++c) o.write(bytes.data() + 4, span);
  o.write(footer.data(), static_cast<std::streamsize>(footer.size()));
  uint32_t len = static_cast<uint32_t>(footer.size());
  o.write(reinterpret_cast<const char*>(&len), 4);
  o.write("PAR1", 4);
  o.close();
  if (!o) {
    std::cerr << "cannot write " << out << "\n";
    std::exit(1);
  }
  std::filesystem::rename(out + ".tmp", out);
}

struct Peer {
  double wall = 0, cpu = 0, rss_mb = 0;
  std::string sum_len, sum_i;
};

Peer RunPeer(const std::string& script, const std::string& mode, const std::string& file) {
  auto d = mhub::Json::parse(Run(script + mode + " '" + file + "'"), nullptr, false);
  if (!d.is_object() || !d.contains("seconds") || !d["seconds"].is_number()) {
    std::cerr << mode << " peer failed\n";
    std::exit(1);
  }
  Peer p;
  p.wall = d["seconds"].get<double>();
  p.cpu = d["cpu_seconds"].get<double>();
  if (d.contains("max_rss_kb")) p.rss_mb = d["max_rss_kb"].get<double>() / 1024.0;
  if (d.contains("sum_len")) p.sum_len = d["sum_len"].get<std::string>(), p.sum_i = d["sum_i"].get<std::string>();
  return p;
}

template <typename T, typename F>
double MedianOf(const std::vector<T>& runs, F f) {
  std::vector<double> v;
  for (const auto& r : runs) v.push_back(f(r));
  return Median(v);
}

// One file: reps rounds of mhub (1 thread), mhub (threads), DuckDB and parquet-wasm, interleaved.
bool Measure(const std::string& file, const std::string& script, int reps, int threads, bool wasm, bool mhub_only) {
  double mb = std::filesystem::file_size(file) / 1e6;
  std::printf("\nfile %s: %.0f MB\n", file.c_str(), mb);
  std::vector<MhubRun> one, many;
  std::vector<Peer> duck, pw;
  for (int r = 0; r < reps; ++r) {
    one.push_back(ScanMhubChild(file, 1));
    if (threads > 1) many.push_back(ScanMhubChild(file, threads));
    if (mhub_only) {
      std::printf("mhub %.3f s wall, %.3f s CPU, peak RSS %.0f MB\n", one.back().wall, one.back().cpu,
                  one.back().rss_mb);
      continue;
    }
    duck.push_back(RunPeer(script, "duckdb", file));
    if (wasm) pw.push_back(RunPeer(script, "wasm", file));
  }
  if (mhub_only) return true;
  const Sums& s = one.back().sums;
  bool same = duck.back().sum_len == std::to_string(s.len) && duck.back().sum_i == ToString(s.i);
  for (const MhubRun& r : many) same = same && r.sums.len == s.len && r.sums.i == s.i;
  std::printf("sums: mhub len=%lld i=%s, duckdb len=%s i=%s -> %s\n", s.len, ToString(s.i).c_str(),
              duck.back().sum_len.c_str(), duck.back().sum_i.c_str(), same ? "equal" : "DIFFERENT");
  auto wall = [](const auto& x) { return x.wall; };
  auto cpu = [](const auto& x) { return x.cpu; };
  auto rss = [](const auto& x) { return x.rss_mb; };
  double mw = MedianOf(one, wall), mc = MedianOf(one, cpu), dw = MedianOf(duck, wall), dc = MedianOf(duck, cpu);
  std::printf("median of %d         wall s   CPU s   MB/s (CPU)  peak RSS MB\n", reps);
  std::printf("  mhub 1 thread     %7.3f %7.3f %9.0f %10.0f\n", mw, mc, mb / mc, MedianOf(one, rss));
  if (!many.empty()) {
    std::printf("  mhub %d threads    %7.3f %7.3f %9.0f %10.0f\n", threads, MedianOf(many, wall), MedianOf(many, cpu),
                mb / MedianOf(many, cpu), MedianOf(many, rss));
  }
  std::printf("  duckdb 1 thread   %7.3f %7.3f %9.0f %10.0f\n", dw, dc, mb / dc, MedianOf(duck, rss));
  if (!pw.empty()) {
    std::printf("  parquet-wasm      %7.3f %7.3f %9.0f %10.0f\n", MedianOf(pw, wall), MedianOf(pw, cpu),
                mb / MedianOf(pw, cpu), MedianOf(pw, rss));
  }
  std::printf("mhub 1 thread vs duckdb 1 thread: %.2fx wall, %.2fx CPU", dw / mw, dc / mc);
  if (!many.empty()) std::printf("; mhub %d threads vs duckdb: %.2fx wall", threads, dw / MedianOf(many, wall));
  if (!pw.empty()) {
    std::printf("; mhub 1 thread vs parquet-wasm: %.2fx wall, %.2fx CPU", MedianOf(pw, wall) / mw,
                MedianOf(pw, cpu) / mc);
  }
  std::printf("  [%s]\n", mhub::bench::CpuTag().c_str());
  return same;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 12'000'000;
  int copies = 10, reps = 3, threads = 2;
  std::string file;
  bool mhub_only = false, wasm_large = false;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg.rfind("--rows=", 0) == 0)
      rows = std::stoll(arg.substr(7));
    else if (arg.rfind("--copies=", 0) == 0)
      copies = std::max(0, std::stoi(arg.substr(9)));
    else if (arg.rfind("--reps=", 0) == 0)
      reps = std::max(1, std::stoi(arg.substr(7)));
    else if (arg.rfind("--threads=", 0) == 0)
      threads = std::max(1, std::stoi(arg.substr(10)));
    else if (arg.rfind("--file=", 0) == 0)
      file = arg.substr(7);
    else if (arg == "--mhub-only")
      mhub_only = true;
    else if (arg == "--wasm-large")
      wasm_large = true;
    else {
      std::cerr << "usage: datasets_parquet_scan_bench [--rows=N] [--copies=N] [--reps=N] [--threads=N] [--file=PATH] "
                   "[--wasm-large] [--mhub-only]\n";
      return 2;
    }
  }
  const std::string src = MHUB_SOURCE_DIR;
  const std::string script = "cd '" + src + "' && node tests/datasets/oracle/pq_read_bench.mjs ";
  std::printf("CPU: %s; machine shared (2 vCPU)\n", mhub::bench::CpuTag().c_str());
  if (!file.empty()) return Measure(file, script, reps, threads, true, mhub_only) ? 0 : 1;
  const std::string dir = src + "/build/bench-cache";
  std::filesystem::create_directories(dir);
  const std::string base = dir + "/scan_" + std::to_string(rows) + ".parquet";
  if (!std::filesystem::exists(base)) {
    std::cout << "writing " << base << " (" << rows << " rows, hyparquet-writer) ..." << std::endl;
    Run(script + "gen '" + base + ".tmp' " + std::to_string(rows));
    std::filesystem::rename(base + ".tmp", base);
  }
  bool ok = Measure(base, script, reps, threads, true, mhub_only);
  if (copies > 1) {
    const std::string large = dir + "/scan_" + std::to_string(rows) + "_x" + std::to_string(copies) + ".parquet";
    if (!std::filesystem::exists(large)) {
      std::cout << "writing " << large << " (" << copies << " copies of the row groups) ..." << std::endl;
      WriteCopies(base, large, copies);
    }
    ok = Measure(large, script, reps, threads, wasm_large, mhub_only) && ok;
  }
  return ok ? 0 : 1;
}
