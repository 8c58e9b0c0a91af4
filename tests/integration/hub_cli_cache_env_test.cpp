// `mhub cache rm|prune|verify` on a cache filled by real downloads (checked with sha256sum and
// the files themselves), aligned tables with human sizes (numfmt as the reference), and `mhub env` /
// `--version` (CPU from /proc/cpuinfo, library versions from pkg-config and dpkg).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "integration/hub_cli_fixture.h"
#include "mhub/base/json.h"

namespace {

namespace fs = std::filesystem;
using mhub::testing::HubCliTest;
using mhub::testing::Lines;
using mhub::testing::MhubBin;
using mhub::testing::OneErrorLine;
using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::Sha256Sum;
using mhub::testing::ShellQuote;
using mhub::testing::WriteFileOrDie;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Every row has a column boundary (a space, then text) where the header's `column` starts.
void ExpectAligned(const std::vector<std::string>& rows, const std::string& column) {
  ASSERT_FALSE(rows.empty());
  size_t at = rows[0].find(column);
  ASSERT_NE(at, std::string::npos) << rows[0];
  for (const auto& r : rows) {
    ASSERT_GT(r.size(), at) << r;
    EXPECT_EQ(r[at - 1], ' ') << column << " in: " << r;
  }
}

class CacheCliTest : public HubCliTest {};

TEST_F(CacheCliTest, PruneRmVerifyOnRealDownloads) {
  const std::string folder = work_ / "m";
  fs::create_directories(folder);
  std::string big(11 * 1024 * 1024, '\0');
  std::mt19937 rng(5);
  for (auto& c : big) c = static_cast<char>(rng());
  WriteFileOrDie(folder + "/big.bin", big);
  WriteFileOrDie(folder + "/a.txt", "one\n");
  ASSERT_EQ(Mhub("upload bob/c " + ShellQuote(folder)).exit_code, 0);
  auto first = Mhub("download bob/c");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string old_snapshot = Lines(first.out).back();
  WriteFileOrDie(folder + "/a.txt", "two\n");
  ASSERT_EQ(Mhub("upload bob/c " + ShellQuote(folder)).exit_code, 0);
  auto second = Mhub("download bob/c");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const std::string snapshot = Lines(second.out).back();
  ASSERT_NE(snapshot, old_snapshot);

  // The old snapshot has no ref now: prune drops it and its a.txt blob, never the shared big.bin.
  auto dry = Mhub("cache prune --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would remove " + old_snapshot), std::string::npos) << dry.out;
  EXPECT_TRUE(fs::exists(old_snapshot));
  auto pruned = Mhub("cache prune");
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_FALSE(fs::exists(old_snapshot));
  EXPECT_EQ(ReadFileOrDie(snapshot + "/a.txt"), "two\n");
  EXPECT_EQ(Sha256Sum(snapshot + "/big.bin"), Sha256Sum(folder + "/big.bin"));
  EXPECT_EQ(Lines(Mhub("cache prune").out).size(), 1u) << "nothing left to prune";

  // verify: sound, then a flipped byte in the LFS blob is found (sha256sum agrees it changed).
  auto ok = Mhub("cache verify bob/c");
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  const std::string blob = fs::canonical(snapshot + "/big.bin").string();
  EXPECT_EQ(fs::path(blob).filename().string(), Sha256Sum(folder + "/big.bin"));
  {
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put(static_cast<char>(big[1000] ^ 1));
  }
  EXPECT_NE(Sha256Sum(blob), fs::path(blob).filename().string());
  auto bad = Mhub("cache verify bob/c --json");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(bad.err)) << bad.err;
  auto report = mhub::ParseJson(Lines(bad.out)[0]);
  ASSERT_TRUE(report.ok()) << bad.out;
  ASSERT_EQ((*report)["problems"].size(), 1u);
  EXPECT_EQ((*report)["problems"][0]["path"], "big.bin");

  // rm: one revision, then the repo; a repo not cached is an error.
  auto rm_rev = Mhub("cache rm bob/c@main");
  ASSERT_EQ(rm_rev.exit_code, 0) << rm_rev.err;
  EXPECT_FALSE(fs::exists(snapshot));
  EXPECT_TRUE(fs::exists(home_ / "cache/models--bob--c"));
  ASSERT_EQ(Mhub("cache rm bob/c").exit_code, 0);
  EXPECT_FALSE(fs::exists(home_ / "cache/models--bob--c"));
  auto gone = Mhub("cache rm bob/c");
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(gone.err)) << gone.err;
}

TEST_F(CacheCliTest, TablesAreAlignedWithHumanSizes) {
  const std::string folder = work_ / "t";
  fs::create_directories(folder + "/sub");
  WriteFileOrDie(folder + "/six.txt", "123456");
  WriteFileOrDie(folder + "/sub/k.txt", std::string(1536, 'k'));
  std::string big(11 * 1024 * 1024, '\0');
  std::mt19937 rng(9);
  for (auto& c : big) c = static_cast<char>(rng());
  WriteFileOrDie(folder + "/big.bin", big);
  ASSERT_EQ(Mhub("upload bob/tables " + ShellQuote(folder)).exit_code, 0);
  ASSERT_EQ(Mhub("repo create bob/tables-with-a-longer-name").exit_code, 0);

  auto ls = Mhub("ls bob/tables -R -l");
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  auto rows = Lines(ls.out);
  ExpectAligned(rows, "PATH");
  for (const auto& [path, bytes] :
       std::vector<std::pair<std::string, size_t>>{{"six.txt", 6}, {"sub/k.txt", 1536}, {"big.bin", big.size()}}) {
    std::string human = Trimmed(RunCommand("numfmt --to=iec --round=nearest " + std::to_string(bytes)).out);
    bool found = false;
    for (const auto& r : rows) {
      if (r.size() < path.size() || r.compare(r.size() - path.size(), path.size(), path) != 0) continue;
      found = true;
      EXPECT_EQ(r.find(human) + human.size(), rows[0].find("SIZE") + 4) << "size column right-aligned: " << r;
      EXPECT_NE(r.find(human + "  "), std::string::npos) << "numfmt says " << human << ": " << r;
    }
    EXPECT_TRUE(found) << path << "\n" << ls.out;
  }
  EXPECT_NE(ls.out.find("lfs"), std::string::npos);

  auto search = Mhub("search tables");
  ASSERT_EQ(search.exit_code, 0) << search.err;
  auto srows = Lines(search.out);
  ASSERT_EQ(srows.size(), 3u) << search.out;
  for (const char* col : {"DOWNLOADS", "LIKES", "UPDATED"}) EXPECT_NE(srows[0].find(col), std::string::npos);
  ExpectAligned(srows, "UPDATED");

  ASSERT_EQ(Mhub("download bob/tables").exit_code, 0);
  auto cache = Mhub("cache ls");
  ASSERT_EQ(cache.exit_code, 0);
  auto crows = Lines(cache.out);
  ExpectAligned({crows[0], crows[1]}, "SIZE ON DISK");
  ExpectAligned({crows[0], crows[1]}, "LOCAL PATH");
}

TEST(EnvCliTest, EnvAndVersionPrintWhatABugReportNeeds) {
  auto env = RunCommand("env MHUB_ENDPOINT=http://hub.example:9000 " + ShellQuote(MhubBin()) + " env --json");
  ASSERT_EQ(env.exit_code, 0) << env.err;
  auto j = mhub::ParseJson(env.out);
  ASSERT_TRUE(j.ok()) << env.out;
  // The CPU model as the kernel reports it.
  std::string model = Trimmed(RunCommand("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'").out);
  EXPECT_EQ((*j)["CPU"], model);
  EXPECT_EQ((*j)["Endpoint"], "http://hub.example:9000");
  EXPECT_FALSE((*j)["Cache dir"].get<std::string>().empty());
  // Library versions as the system's package tools report them.
  EXPECT_EQ((*j)["libgit2"], Trimmed(RunCommand("pkg-config --modversion libgit2").out));
  EXPECT_EQ((*j)["SQLite"], Trimmed(RunCommand("pkg-config --modversion sqlite3").out));
  EXPECT_EQ((*j)["libcurl"], Trimmed(RunCommand("pkg-config --modversion libcurl").out));
  std::string dnnl = Trimmed(RunCommand("dpkg-query -W -f='${Version}' libdnnl-dev").out);
  EXPECT_EQ(dnnl.rfind((*j)["oneDNN"].get<std::string>(), 0), 0u) << dnnl;
  std::string threads = (*j)["Threads"];
  EXPECT_GT(std::stoi(threads), 0);

  // The ISA follows MHUB_ISA when it forces a lower one; --version shows the essentials.
  auto v = RunCommand("env MHUB_ISA=scalar " + ShellQuote(MhubBin()) + " --version");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out.rfind("mhub 0.", 0), 0u) << v.out;
  EXPECT_NE(v.out.find("CPU: " + model), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("ISA: scalar (MHUB_ISA)"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("Threads: "), std::string::npos) << v.out;
  auto text = RunCommand(ShellQuote(MhubBin()) + " env");
  EXPECT_NE(text.out.find("- oneDNN: "), std::string::npos) << text.out;
}

}  // namespace
