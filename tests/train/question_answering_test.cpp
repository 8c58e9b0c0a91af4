// Question answering against outside oracles: the windows, positions and offsets of
// PrepareQaFeatures equal run_qa's prepare_*_features rules applied to HF `tokenizers`' own
// encodings (oracle/qa_prepare.js, npm binding); PostprocessQaPredictions and SquadMetric equal
// utils_qa's postprocess_qa_predictions and evaluate's squad / squad_v2 (oracle/qa_postprocess.py,
// numpy) on the same logits.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mhub/base/json.h"
#include "mhub/train/question_answering.h"
#include "support/test_support.h"

namespace mhub::train {
namespace {

using mhub::testing::NodeModulesDir;
using mhub::testing::Python;
using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;

std::vector<std::string> Vocab() {
  std::vector<std::string> v = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (char c = 'a'; c <= 'z'; ++c) v.push_back(std::string(1, c)), v.push_back("##" + std::string(1, c));
  for (char c = '0'; c <= '9'; ++c) v.push_back(std::string(1, c));
  for (const char* w : {".",   ",",     "'",     "-",    "?",     "the",    "paris", "capital", "of",   "france", "is",
                        "who", "what",  "where", "city", "river", "london", "wrote", "book",    "in",   "a",      "an",
                        "and", "built", "tower", "##s",  "##ed",  "##ing",  "cafe",  "year",    "when", "was"})
    v.push_back(w);
  return v;
}

// SQuAD-like rows; the contexts are long enough for several 48-token windows.
std::vector<QaExample> Examples(bool with_unanswerable) {
  const std::vector<std::string> filler = {"the",    "river", "runs",   "past", "a",     "small", "cafe", "in",
                                           "london", "and",   "people", "walk", "there", "every", "year", "."};
  std::mt19937 rng(5);
  std::vector<QaExample> out;
  const std::vector<std::pair<std::string, std::string>> qa = {
      {"what is the capital of france?", "paris"},
      {"who wrote the book?", "victor hugo"},
      {"when was the tower built?", "1889"},
      {"where is the café?", "near the river"},
      {"what city?", "Paris, France"},
      {"  who built it?", "gustave eiffel's company"},
      {"which year?", "year 2024"},
      {"what is long?", "the long-winded answer at the end"},
      {"what is at the very start?", "Once"},
      {"no answer here?", ""},
  };
  for (size_t i = 0; i < qa.size(); ++i) {
    if (qa[i].second.empty() && !with_unanswerable) continue;
    QaExample ex;
    ex.id = "q" + std::to_string(i);
    ex.question = qa[i].first;
    const int before = i == 8 ? 0 : int(rng() % 70), after = int(rng() % 50);
    std::string ctx = i == 8 ? "" : "Once ";
    for (int k = 0; k < before; ++k) ctx += filler[rng() % filler.size()] + " ";
    if (!qa[i].second.empty()) {
      const std::string ans = qa[i].second;
      // Answer start in code points (the context before it is ASCII but for "café").
      int64_t cps = 0;
      for (unsigned char c : ctx) cps += (c & 0xC0) != 0x80;
      ex.answer_texts = {ans};
      ex.answer_starts = {cps};
      ctx += ans + " ";
      if (i == 8) ex.answer_starts = {0};
    }
    for (int k = 0; k < after; ++k) ctx += filler[rng() % filler.size()] + " ";
    ctx += "café.";
    ex.context = ctx;
    out.push_back(ex);
  }
  return out;
}

Json ExamplesJson(const std::vector<QaExample>& exs) {
  Json a = Json::array();
  for (const auto& e : exs)
    a.push_back({{"id", e.id},
                 {"question", e.question},
                 {"context", e.context},
                 {"answers", {{"text", e.answer_texts}, {"answer_start", e.answer_starts}}}});
  return a;
}

class QaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFileOrDie(tmp_ / "tokenizer.json", mhub::testing::WordPieceTokenizerJson(Vocab(), 5));
    auto t = tokenizers::Tokenizer::FromFile(tmp_ / "tokenizer.json");
    ASSERT_TRUE(t.ok()) << t.status();
    tok_.emplace(std::move(*t));
  }
  TempDir tmp_;
  std::optional<tokenizers::Tokenizer> tok_;
};

TEST_F(QaTest, PreparationEqualsRunQaOverHfTokenizers) {
  for (auto [max_length, stride] : {std::pair<int64_t, int64_t>{48, 16}, {32, 8}, {128, 32}}) {
    SCOPED_TRACE(max_length);
    const auto examples = Examples(true);
    QaPrepOptions o;
    o.max_length = max_length;
    o.doc_stride = stride;
    auto feats = PrepareQaFeatures(*tok_, examples, o);
    ASSERT_TRUE(feats.ok()) << feats.status();
    Json req = {{"max_length", max_length}, {"doc_stride", stride}, {"examples", ExamplesJson(examples)}};
    auto r = RunCommand("NODE_MODULES=" + ShellQuote(NodeModulesDir()) + " node " +
                            ShellQuote(SourceDir() + "/tests/train/oracle/qa_prepare.js") + " " +
                            ShellQuote(tmp_ / "tokenizer.json"),
                        req.dump());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json want = Json::parse(r.out)["features"];
    ASSERT_EQ(want.size(), feats->size());
    EXPECT_GT(want.size(), examples.size());  // some examples span several windows
    int in_window = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      SCOPED_TRACE(i);
      const QaFeature& f = (*feats)[i];
      EXPECT_EQ(f.example_index, want[i]["example_index"].get<int64_t>());
      EXPECT_EQ(f.feature.input_ids, want[i]["input_ids"].get<std::vector<int64_t>>());
      EXPECT_EQ(f.feature.token_type_ids, want[i]["token_type_ids"].get<std::vector<int64_t>>());
      EXPECT_EQ(f.feature.attention_mask, want[i]["attention_mask"].get<std::vector<int64_t>>());
      EXPECT_EQ(f.feature.start_position, want[i]["start"].get<int64_t>());
      EXPECT_EQ(f.feature.end_position, want[i]["end"].get<int64_t>());
      in_window += want[i]["start"].get<int64_t>() != 0;
      ASSERT_EQ(f.offsets.size(), want[i]["offsets"].size());
      for (size_t t = 0; t < f.offsets.size(); ++t) {
        const Json& w = want[i]["offsets"][t];
        ASSERT_EQ(f.offsets[t].has_value(), !w.is_null()) << t;
        if (!w.is_null()) {
          EXPECT_EQ(f.offsets[t]->first, w[0].get<int64_t>()) << t;
          EXPECT_EQ(f.offsets[t]->second, w[1].get<int64_t>()) << t;
        }
      }
    }
    EXPECT_GT(in_window, 0);
  }
  // The tokenizer's own settings come back.
  EXPECT_FALSE(tok_->truncation().has_value());
  EXPECT_FALSE(tok_->padding().has_value());
}

// Runs the Python oracle on `req`.
Json Oracle(const TempDir& tmp, const Json& req) {
  WriteFileOrDie(tmp / "qa_in.json", req.dump());
  auto r = RunCommand(Python() + " " + ShellQuote(SourceDir() + "/tests/train/oracle/qa_postprocess.py") + " " +
                      ShellQuote(tmp / "qa_in.json") + " " + ShellQuote(tmp / "qa_out.json"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? Json::parse(ReadFileOrDie(tmp / "qa_out.json")) : Json::object();
}

TEST_F(QaTest, PostprocessAndSquadEqualUtilsQaAndEvaluate) {
  for (bool v2 : {false, true}) {
    SCOPED_TRACE(v2);
    const auto examples = Examples(v2);
    QaPrepOptions o;
    o.max_length = 48;
    o.doc_stride = 16;
    auto feats = PrepareQaFeatures(*tok_, examples, o);
    ASSERT_TRUE(feats.ok()) << feats.status();
    const int64_t T = o.max_length;
    std::mt19937 rng(v2 ? 11 : 12);
    std::normal_distribution<float> n01;
    std::vector<float> sl(feats->size() * T), el(sl.size());
    for (auto& x : sl) x = n01(rng);
    for (auto& x : el) x = n01(rng);
    // A model that knows some answers: boost the labelled positions of every other window.
    for (size_t i = 0; i < feats->size(); i += 2) {
      sl[i * T + (*feats)[i].feature.start_position] += 4.f;
      el[i * T + (*feats)[i].feature.end_position] += 4.f;
    }
    QaPostprocessOptions po;
    po.version_2_with_negative = v2;
    po.max_answer_length = 12;
    po.n_best_size = 7;
    auto preds = PostprocessQaPredictions(examples, *feats, sl, el, T, po);
    ASSERT_TRUE(preds.ok()) << preds.status();
    Json feats_json = Json::array(), sj = Json::array(), ej = Json::array();
    for (size_t i = 0; i < feats->size(); ++i) {
      Json offs = Json::array();
      for (const auto& off : (*feats)[i].offsets)
        offs.push_back(off ? Json::array({off->first, off->second}) : Json(nullptr));
      feats_json.push_back({{"example_index", (*feats)[i].example_index}, {"offsets", offs}});
      sj.push_back(std::vector<float>(sl.begin() + i * T, sl.begin() + (i + 1) * T));
      ej.push_back(std::vector<float>(el.begin() + i * T, el.begin() + (i + 1) * T));
    }
    Json want = Oracle(tmp_, {{"examples", ExamplesJson(examples)},
                              {"features", feats_json},
                              {"start_logits", sj},
                              {"end_logits", ej},
                              {"v2", v2},
                              {"n_best_size", po.n_best_size},
                              {"max_answer_length", po.max_answer_length},
                              {"null_score_diff_threshold", 0.0}});
    ASSERT_TRUE(want.contains("predictions"));
    std::map<std::string, std::vector<std::string>> refs;
    int exact = 0;
    for (const auto& e : examples) {
      refs[e.id] = e.answer_texts;
      EXPECT_EQ((*preds)[e.id], want["predictions"][e.id].get<std::string>()) << e.id;
      exact += !e.answer_texts.empty() && (*preds)[e.id] == e.answer_texts[0];
    }
    EXPECT_GT(exact, 0);  // the boosted windows find their answers, so the metric is not all zeros
    auto m = SquadMetric(*preds, refs, v2);
    ASSERT_TRUE(m.ok()) << m.status();
    for (auto& [k, v] : want["metrics"].items()) {
      ASSERT_TRUE(m->count(k)) << k;
      EXPECT_NEAR((*m)[k], v.get<double>(), 1e-9) << k;
    }
    EXPECT_EQ(m->size(), want["metrics"].size());
  }
}

TEST_F(QaTest, SquadNormalisationEqualsTheOfficialScript) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"The Eiffel Tower!", {"eiffel tower"}},
      {"an apple a day", {"Apple day", "an apple"}},
      {"théâtre", {"THÉÂTRE"}},
      {"  many   spaces\there ", {"many spaces here"}},
      {"banana_split", {"banana split"}},
      {"x-ray vision", {"xray vision", "x ray"}},
      {"the", {"a"}},
      {"anathema thea", {"anathema the a"}},
      {"(1889)", {"1889."}},
      {"Victor Hugo", {"hugo victor hugo"}},
      {"école d'art", {"école dart"}},
      {"wrong", {"right answer"}},
  };
  for (bool v2 : {false, true}) {
    std::map<std::string, std::string> preds;
    std::map<std::string, std::vector<std::string>> refs;
    Json jp = Json::object(), jr = Json::object();
    for (size_t i = 0; i < cases.size(); ++i) {
      const std::string id = "c" + std::to_string(i);
      preds[id] = cases[i].first, refs[id] = cases[i].second;
      jp[id] = cases[i].first, jr[id] = cases[i].second;
    }
    if (v2) {  // unanswerable rows: an empty prediction is right, any text wrong
      preds["n1"] = "", refs["n1"] = {}, jp["n1"] = "", jr["n1"] = Json::array();
      preds["n2"] = "the", refs["n2"] = {}, jp["n2"] = "the", jr["n2"] = Json::array();
      preds["n3"] = "x", refs["n3"] = {}, jp["n3"] = "x", jr["n3"] = Json::array();
    }
    Json want = Oracle(tmp_, {{"v2", v2}, {"metric_only", {{"predictions", jp}, {"references", jr}}}});
    auto m = SquadMetric(preds, refs, v2);
    ASSERT_TRUE(m.ok()) << m.status();
    for (auto& [k, v] : want["metrics"].items()) EXPECT_NEAR((*m)[k], v.get<double>(), 1e-9) << k << " v2=" << v2;
    EXPECT_EQ(m->size(), want["metrics"].size());
  }
  EXPECT_EQ(NormalizeSquadAnswer("The  Cat, a hat!"), "cat hat");
}

TEST_F(QaTest, BadInputIsAClearError) {
  QaExample ex{"x", "q?", "short context", {"context and more"}, {6}};
  auto r = PrepareQaFeatures(*tok_, std::vector<QaExample>{ex}, {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("outside the context"), std::string::npos) << r.status();
  QaPrepOptions bad;
  bad.max_length = 16;
  bad.doc_stride = 16;
  EXPECT_EQ(PrepareQaFeatures(*tok_, std::vector<QaExample>{}, bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SquadMetric({}, {{"a", {"x"}}}).status().code(), StatusCode::kInvalidArgument);
  std::vector<float> logits(10);
  EXPECT_EQ(PostprocessQaPredictions({}, {}, logits, logits, 5).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mhub::train
