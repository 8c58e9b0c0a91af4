// `mhub train ... --push_to_hub` end to end against a real hub: the test starts `mhub server`,
// pushes a tiny CSV/JSONL dataset repo with `mhub upload`, makes a tiny model with `mhub new-model`,
// runs `mhub train` as a process for each task, then downloads the pushed repo with Debian git +
// git-lfs and with the real @huggingface/hub JS client (snapshotDownload): both give the bytes the
// trainer wrote into output_dir, and the card's model-index (parsed by PyYAML with the Hub's rules,
// tests/train/oracle/card_check.py) holds the eval metrics the run printed.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "integration/hub_cli_fixture.h"
#include "mhub/base/json.h"

namespace mhub::testing {
namespace {

namespace fs = std::filesystem;

std::string Q(const std::string& s) { return ShellQuote(s); }

class TrainCliPushTest : public HubCliTest {
 protected:
  // A dataset repo bob/<name> holding `files` (path -> text), uploaded in one commit.
  void PushDataset(const std::string& name, const std::map<std::string, std::string>& files) {
    const std::string folder = work_ / ("data-" + name);
    for (const auto& [path, text] : files) {
      fs::create_directories(fs::path(folder + "/" + path).parent_path());
      WriteFileOrDie(folder + "/" + path, text);
    }
    auto c = Mhub("repo create bob/" + name + " --repo-type dataset");
    ASSERT_EQ(c.exit_code, 0) << c.err;
    auto up = Mhub("upload bob/" + name + " " + Q(folder) + " . --repo-type dataset");
    ASSERT_EQ(up.exit_code, 0) << up.err;
  }

  std::string NewModel(const std::string& arch, const std::string& task) {
    const std::string dir = work_ / (arch + "-" + task);
    auto r = Mhub("new-model " + arch + " --task " + task + " " + Q(dir));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return dir;
  }

  // Runs `mhub train` and returns the final metrics line it printed.
  Json Train(const std::string& args) {
    auto r = Mhub("train " + args);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    auto lines = Lines(r.out);
    if (lines.empty()) return Json::object();
    auto j = ParseJson(lines.back());
    EXPECT_TRUE(j.ok()) << r.out;
    return j.ok() ? *j : Json::object();
  }

  // sha256 of every regular file under `dir` (relative paths), skipping `skip_prefix` entries.
  static std::map<std::string, std::string> Hashes(const std::string& dir, const std::string& skip_prefix) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      std::string rel = fs::relative(e.path(), dir).string();
      if (!skip_prefix.empty() && rel.rfind(skip_prefix, 0) == 0) continue;
      out[rel] = Sha256Sum(e.path().string());
    }
    return out;
  }

  // Downloads `repo` with git + git-lfs and with @huggingface/hub; checks both against the files of
  // `output_dir` the trainer pushed; returns the card's parsed front matter.
  Json CheckPushed(const std::string& repo, const std::string& output_dir) {
    const std::string home = work_ / "git-home";
    fs::create_directories(home);
    const std::string git_env = "HOME=" + Q(home) + " GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 ";
    EXPECT_EQ(RunCommand(git_env + "git lfs install --skip-repo").exit_code, 0);
    const std::string port = server_.url().substr(server_.url().rfind(':') + 1);
    const std::string clone_dir = work_ / ("clone-" + repo.substr(repo.find('/') + 1));
    auto clone = RunCommand(git_env + "git clone -q " +
                            Q("http://bob:" + server_.token() + "@127.0.0.1:" + port + "/" + repo + ".git") + " " +
                            Q(clone_dir));
    EXPECT_EQ(clone.exit_code, 0) << clone.err;
    auto git_files = Hashes(clone_dir, ".git");
    // The weights are LFS objects in git (pointer committed), smudged back by git-lfs.
    auto pointer = RunCommand("git -C " + Q(clone_dir) + " cat-file -p HEAD:model.safetensors");
    EXPECT_EQ(pointer.out.rfind("version https://git-lfs.github.com/spec/v1", 0), 0u) << pointer.out.substr(0, 80);

    // Every pushed file is what the trainer wrote into output_dir.
    for (const char* f : {"README.md", "config.json", "model.safetensors", "training_args.json", "tokenizer.json"}) {
      EXPECT_TRUE(git_files.count(f)) << repo << " lacks " << f;
      if (git_files.count(f)) {
        EXPECT_EQ(git_files[f], Sha256Sum(output_dir + "/" + f)) << repo << " " << f;
      }
    }
    // Checkpoints stay local (transformers' push ignores _checkpoint/ and checkpoint-*/ by default).
    for (const auto& [path, _] : git_files) EXPECT_EQ(path.rfind("checkpoint-", 0), std::string::npos) << path;

    auto js = RunCommand("env HUB_URL=" + Q(server_.url()) + " HUB_TOKEN=" + Q(server_.token()) + " REPO=" + Q(repo) +
                         " CACHE_DIR=" + Q(work_ / "jscache") + " NODE_MODULES=" + Q(NodeModulesDir()) + " node " +
                         Q(SourceDir() + "/tests/clients/train_hub_snapshot.js"));
    EXPECT_EQ(js.exit_code, 0) << js.err;
    // snapshotDownload logs "Downloading ..." lines on stdout; the result is the last line.
    auto js_lines = Lines(js.out);
    auto snap = ParseJson(js_lines.empty() ? "" : js_lines.back());
    EXPECT_TRUE(snap.ok()) << js.out;
    if (snap.ok()) {
      std::map<std::string, std::string> js_files;
      for (auto& [k, v] : (*snap)["files"].items()) js_files[k] = v.get<std::string>();
      js_files.erase(".gitattributes");
      git_files.erase(".gitattributes");
      EXPECT_EQ(js_files, git_files) << repo;
      auto head = RunCommand("git -C " + Q(clone_dir) + " rev-parse HEAD");
      EXPECT_EQ((*snap)["commit"].get<std::string>() + "\n", head.out);
    }

    // hub_strategy every_save (the default): one commit per save (epoch), then the final push.
    auto log = RunCommand("git -C " + Q(clone_dir) + " log --format=%s");
    auto subjects = Lines(log.out);
    EXPECT_GE(subjects.size(), 3u) << log.out;
    if (subjects.size() >= 3) {
      EXPECT_EQ(subjects[0], "End of training");
      EXPECT_EQ(subjects[1], "Training in progress, epoch 2");
      EXPECT_EQ(subjects[2], "Training in progress, epoch 1");
    }

    auto card = RunCommand(Python() + " " + Q(SourceDir() + "/tests/train/oracle/card_check.py") + " " +
                           Q(clone_dir + "/README.md"));
    EXPECT_EQ(card.exit_code, 0) << card.err;
    auto meta = ParseJson(card.out);
    EXPECT_TRUE(meta.ok()) << card.out;
    return meta.ok() ? (*meta)["meta"] : Json::object();
  }

  // The model-index metrics of `meta` (type -> value) equal the run's eval_<type> values.
  static void ExpectCardMetrics(const Json& meta, const Json& printed, const std::vector<std::string>& types,
                                const std::string& task_type, const std::string& dataset) {
    ASSERT_TRUE(meta.contains("model-index")) << meta.dump();
    const Json& results = meta["model-index"][0]["results"];
    ASSERT_EQ(results.size(), 1u) << meta.dump();
    EXPECT_EQ(results[0]["task"]["type"], task_type);
    EXPECT_EQ(results[0]["dataset"]["type"], dataset);
    std::map<std::string, double> got;
    for (const auto& m : results[0]["metrics"]) got[m["type"].get<std::string>()] = m["value"].get<double>();
    for (const auto& t : types) {
      ASSERT_TRUE(got.count(t)) << t << " missing in " << results.dump();
      ASSERT_TRUE(printed.contains("eval_" + t)) << printed.dump();
      EXPECT_NEAR(got[t], printed["eval_" + t].get<double>(), 1e-12) << t;
    }
  }

  std::string CommonArgs(const std::string& out, const std::string& repo) {
    return " --output_dir " + Q(out) +
           " --num_train_epochs 2 --per_device_train_batch_size 4 --per_device_eval_batch_size 4"
           " --learning_rate 1e-3 --eval_strategy epoch --save_strategy epoch --logging_steps 1 --seed 7"
           " --push_to_hub --hub_model_id " +
           repo;
  }
};

std::string Csv(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string s = "text,label\n";
  for (auto& [t, l] : rows) s += "\"" + t + "\"," + l + "\n";
  return s;
}

TEST_F(TrainCliPushTest, TextClassificationFromCsvRepo) {
  std::vector<std::pair<std::string, std::string>> train, eval;
  const char* good[] = {"i love it", "great fun", "so good", "a fine day", "lovely work", "good and great"};
  const char* bad[] = {"i hate it", "awful mess", "so bad", "a sad day", "terrible work", "bad and awful"};
  for (int i = 0; i < 6; ++i) {
    (i < 4 ? train : eval).push_back({good[i], "POSITIVE"});
    (i < 4 ? train : eval).push_back({bad[i], "NEGATIVE"});
  }
  PushDataset("reviews", {{"train.csv", Csv(train)}, {"validation.csv", Csv(eval)}});
  const std::string model = NewModel("bert", "text-classification");
  const std::string out = work_ / "out-tc";
  Json printed = Train("--task text-classification --model " + Q(model) + " --dataset bob/reviews" +
                       CommonArgs(out, "bob/tc-model"));
  ASSERT_TRUE(printed.contains("eval_accuracy")) << printed.dump();
  // Accuracy over 4 eval rows is a multiple of 1/4.
  const double acc = printed["eval_accuracy"].get<double>();
  EXPECT_NEAR(acc * 4, std::round(acc * 4), 1e-9);
  Json meta = CheckPushed("bob/tc-model", out);
  ExpectCardMetrics(meta, printed, {"accuracy", "f1", "precision", "recall"}, "text-classification", "bob/reviews");
  // The pushed model loads and runs from the hub by its repo id.
  auto run = Mhub("run text-classification --model bob/tc-model 'i love it'");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"label\""), std::string::npos) << run.out;
}

TEST_F(TrainCliPushTest, LoraAdapterPushedAndRunMergedIntoItsBase) {
  std::string csv = "text,label\n";
  for (const char* t : {"i love it", "great fun", "so good", "lovely work"}) csv += std::string(t) + ",POSITIVE\n";
  for (const char* t : {"i hate it", "awful mess", "so bad", "terrible work"}) csv += std::string(t) + ",NEGATIVE\n";
  PushDataset("reviews-lora", {{"train.csv", csv}});
  // The base lives on the hub too, as a user's adapter names it.
  const std::string model = NewModel("bert", "text-classification");
  ASSERT_EQ(Mhub("repo create bob/tiny-bert").exit_code, 0);
  ASSERT_EQ(Mhub("upload bob/tiny-bert " + Q(model) + " .").exit_code, 0);
  const std::string out = work_ / "out-lora";
  Json printed = Train(
      "--task text-classification --model bob/tiny-bert --dataset bob/reviews-lora --lora-r 4 --lora-alpha 16 "
      "--lora-target-modules query,value --output_dir " +
      Q(out) +
      " --num_train_epochs 3 --per_device_train_batch_size 4 --learning_rate 5e-2 --seed 7 --save_strategy no"
      " --push_to_hub --hub_model_id bob/tiny-bert-lora");
  ASSERT_TRUE(printed.contains("train_loss")) << printed.dump();
  // The repo is an adapter in PEFT's layout, not a model.
  auto ls = Mhub("ls bob/tiny-bert-lora");
  EXPECT_NE(ls.out.find("adapter_config.json"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("adapter_model.safetensors"), std::string::npos) << ls.out;
  EXPECT_EQ(ls.out.find("model.safetensors\n"), ls.out.find("adapter_model.safetensors\n") + 8) << ls.out;
  auto cfg = ParseJson(ReadFileOrDie(out + "/adapter_config.json"));
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ((*cfg)["base_model_name_or_path"], "bob/tiny-bert");
  // The card is PEFT's kind: library peft, the base named.
  auto card =
      RunCommand(Python() + " " + Q(SourceDir() + "/tests/train/oracle/card_check.py") + " " + Q(out + "/README.md"));
  ASSERT_EQ(card.exit_code, 0) << card.err;
  auto meta = ParseJson(card.out);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ((*meta)["meta"]["library_name"], "peft");
  EXPECT_EQ((*meta)["meta"]["base_model"], "bob/tiny-bert");
  // mhub run on the adapter repo = mhub run on the base merged by torch (PEFT's merge_and_unload rule).
  const std::string merged = work_ / "torch-merged";
  auto py = RunCommand(Python() + " " + Q(SourceDir() + "/tests/train/oracle/lora_merge.py") + " " + Q(model) + " " +
                       Q(out) + " " + Q(merged));
  ASSERT_EQ(py.exit_code, 0) << py.err;
  for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json"})
    fs::copy_file(model + "/" + f, merged + "/" + f);
  for (const std::string text : {"i love it", "so bad"}) {
    auto a = Mhub(std::string("run text-classification --model bob/tiny-bert-lora --top-k 2 '") + text + "'");
    auto b = Mhub("run text-classification --model " + Q(merged) + " --top-k 2 '" + text + "'");
    auto c = Mhub("run text-classification --model bob/tiny-bert --top-k 2 '" + text + "'");
    ASSERT_EQ(a.exit_code, 0) << a.err;
    ASSERT_EQ(b.exit_code, 0) << b.err;
    auto ja = ParseJson(Lines(a.out).back()), jb = ParseJson(Lines(b.out).back()), jc = ParseJson(Lines(c.out).back());
    ASSERT_TRUE(ja.ok() && jb.ok() && jc.ok()) << a.out << b.out;
    double differs_from_base = 0;
    for (size_t k = 0; k < 2; ++k) {
      EXPECT_EQ((*ja)[0][k]["label"], (*jb)[0][k]["label"]) << a.out << b.out;
      EXPECT_NEAR((*ja)[0][k]["score"].get<double>(), (*jb)[0][k]["score"].get<double>(), 1e-5) << a.out << b.out;
      for (size_t m = 0; m < 2; ++m)
        if ((*jc)[0][m]["label"] == (*ja)[0][k]["label"])
          differs_from_base = std::max(
              differs_from_base, std::fabs((*jc)[0][m]["score"].get<double>() - (*ja)[0][k]["score"].get<double>()));
    }
    EXPECT_GT(differs_from_base, 1e-4) << "the adapter changed nothing: " << a.out << c.out;
  }
}

TEST_F(TrainCliPushTest, TokenClassificationFromJsonlRepo) {
  // Tags: 0 O, 1 B-PER, 2 I-PER, 3 B-LOC, 4 I-LOC (new-model's labels).
  auto row = [](const std::vector<std::string>& words, const std::vector<int>& tags) {
    Json j = {{"tokens", words}, {"ner_tags", tags}};
    return j.dump() + "\n";
  };
  std::string train, eval;
  for (int i = 0; i < 4; ++i) {
    train += row({"alice", "lives", "in", "paris"}, {1, 0, 0, 3});
    train += row({"bob", "smith", "went", "to", "new", "york"}, {1, 2, 0, 0, 3, 4});
  }
  eval += row({"alice", "went", "to", "paris"}, {1, 0, 0, 3});
  eval += row({"bob", "lives", "in", "york"}, {1, 0, 0, 3});
  PushDataset("ner", {{"train.jsonl", train}, {"validation.jsonl", eval}});
  const std::string model = NewModel("bert", "token-classification");
  const std::string out = work_ / "out-ner";
  Json printed = Train("--task token-classification --model " + Q(model) + " --dataset bob/ner" +
                       CommonArgs(out, "bob/ner-model"));
  ASSERT_TRUE(printed.contains("eval_accuracy")) << printed.dump();
  Json meta = CheckPushed("bob/ner-model", out);
  ExpectCardMetrics(meta, printed, {"accuracy", "f1", "precision", "recall"}, "token-classification", "bob/ner");
}

std::string TextJsonl(const std::vector<std::string>& texts) {
  std::string s;
  for (const auto& t : texts) s += Json({{"text", t}}).dump() + "\n";
  return s;
}

TEST_F(TrainCliPushTest, MaskedLmFromJsonlRepo) {
  const std::vector<std::string> train = {"the cat sat on the mat",  "paris is the capital of france",
                                          "the dog ran in the park", "alice lives in paris",
                                          "bob went to new york",    "the sun is hot today"};
  PushDataset("mlm-text", {{"train.jsonl", TextJsonl(train)},
                           {"validation.jsonl", TextJsonl({"the cat ran in the park", "bob lives in paris"})}});
  const std::string model = NewModel("bert", "fill-mask");
  const std::string out = work_ / "out-mlm";
  Json printed =
      Train("--task masked-lm --model " + Q(model) + " --dataset bob/mlm-text" + CommonArgs(out, "bob/mlm-model"));
  // run_mlm reports perplexity = exp(eval_loss) and token accuracy on the masked positions.
  ASSERT_TRUE(printed.contains("eval_loss")) << printed.dump();
  ASSERT_TRUE(printed.contains("perplexity")) << printed.dump();
  EXPECT_NEAR(printed["perplexity"].get<double>(), std::exp(printed["eval_loss"].get<double>()), 1e-9);
  Json meta = CheckPushed("bob/mlm-model", out);
  ExpectCardMetrics(meta, printed, {"accuracy"}, "fill-mask", "bob/mlm-text");
}

TEST_F(TrainCliPushTest, CausalLmFromCsvRepo) {
  std::string train = "text\n", eval = "text\n";
  for (const char* t : {"hello world", "the cat sat", "a b c d e", "one two three", "hello there", "the end"})
    train += std::string(t) + "\n";
  for (const char* t : {"hello cat", "one two"}) eval += std::string(t) + "\n";
  PushDataset("clm-text", {{"train.csv", train}, {"validation.csv", eval}});
  const std::string model = NewModel("gpt2", "text-generation");
  const std::string out = work_ / "out-clm";
  Json printed =
      Train("--task causal-lm --model " + Q(model) + " --dataset bob/clm-text" + CommonArgs(out, "bob/clm-model"));
  ASSERT_TRUE(printed.contains("perplexity")) << printed.dump();
  EXPECT_NEAR(printed["perplexity"].get<double>(), std::exp(printed["eval_loss"].get<double>()), 1e-9);
  Json meta = CheckPushed("bob/clm-model", out);
  ExpectCardMetrics(meta, printed, {"accuracy"}, "text-generation", "bob/clm-text");
  auto run = Mhub("run text-generation --model bob/clm-model hello --max-new-tokens 2");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("generated_text"), std::string::npos) << run.out;
}

TEST_F(TrainCliPushTest, QuestionAnsweringFromSquadJsonlRepo) {
  // SQuAD layout: answers {text, answer_start} in code points; one context long enough for several
  // windows at --max-length 32 --doc-stride 8; one unanswerable row (v2).
  auto row = [](const std::string& id, const std::string& q, const std::string& ctx, const std::string& ans) {
    Json answers = {{"text", Json::array()}, {"answer_start", Json::array()}};
    if (!ans.empty()) answers = {{"text", {ans}}, {"answer_start", {int64_t(ctx.find(ans))}}};
    return Json({{"id", id}, {"question", q}, {"context", ctx}, {"answers", answers}}).dump() + "\n";
  };
  const std::string longer =
      "the river runs past a small cafe in london and people walk there every year . alice wrote the book in paris "
      "near the tower and bob built the bridge over the river in the year of the storm .";
  std::string train, eval;
  for (int i = 0; i < 3; ++i) {
    train += row("t" + std::to_string(4 * i), "who wrote the book?", longer, "alice");
    train += row("t" + std::to_string(4 * i + 1), "who built the bridge?", longer, "bob");
    train += row("t" + std::to_string(4 * i + 2), "where is the cafe?", "the cafe is in london .", "london");
    train += row("t" + std::to_string(4 * i + 3), "what is blue?", "nothing here .", "");
  }
  eval += row("e0", "who wrote the book?", longer, "alice");
  eval += row("e1", "where is the cafe?", "the cafe is in paris .", "paris");
  eval += row("e2", "what is red?", "nothing at all .", "");
  PushDataset("squad-mini", {{"train.jsonl", train}, {"validation.jsonl", eval}});
  const std::string model = NewModel("bert", "question-answering");
  const std::string out = work_ / "out-qa";
  Json printed = Train("--task question-answering --model " + Q(model) +
                       " --dataset bob/squad-mini --max-length 32 --doc-stride 8 --version-2-with-negative" +
                       CommonArgs(out, "bob/qa-model"));
  // squad_v2 over 3 examples: exact is a multiple of 100/3.
  ASSERT_TRUE(printed.contains("eval_exact")) << printed.dump();
  ASSERT_TRUE(printed.contains("eval_f1")) << printed.dump();
  EXPECT_EQ(printed["eval_total"].get<double>(), 3.0);
  const double exact = printed["eval_exact"].get<double>();
  EXPECT_NEAR(exact * 3 / 100, std::round(exact * 3 / 100), 1e-9);
  EXPECT_GE(printed["eval_f1"].get<double>(), exact - 1e-9);
  Json meta = CheckPushed("bob/qa-model", out);
  ExpectCardMetrics(meta, printed, {"f1"}, "question-answering", "bob/squad-mini");
  auto run =
      Mhub("run question-answering --model bob/qa-model --question 'who wrote the book?' --context " + Q(longer));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  // The barely trained model may find no span ([]); the answer is still the pipeline's JSON.
  EXPECT_TRUE(ParseJson(Lines(run.out).empty() ? "" : Lines(run.out).back()).ok()) << run.out;
}

TEST_F(TrainCliPushTest, MissingColumnIsOneErrorLineAndNothingPushed) {
  PushDataset("bad", {{"train.csv", "sentence,label\nhi,POSITIVE\n"}});
  const std::string model = NewModel("bert", "text-classification");
  auto r = Mhub("train --task text-classification --model " + Q(model) + " --dataset bob/bad" +
                CommonArgs(work_ / "out-bad", "bob/bad-model"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(OneErrorLine(r.err)) << r.err;
  EXPECT_NE(r.err.find("no column 'text'"), std::string::npos) << r.err;
  EXPECT_NE(Mhub("ls bob/bad-model").exit_code, 0);
}

}  // namespace
}  // namespace mhub::testing
