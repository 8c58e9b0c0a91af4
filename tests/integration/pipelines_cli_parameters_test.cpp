// `mhub run`: for every task family, a parameter the task does not take (from `-p`, from a CLI flag
// meant for another task, or in a stdin request's "parameters") and an out-of-range value are one
// `mhub: error:` line naming the parameter, as transformers raises them; the same request with a
// valid parameter answers. Before the per-task check only text-generation refused unknown names.
#include <gtest/gtest.h>

#include "mhub/base/json.h"
#include "support/test_support.h"

namespace {

using mhub::Json;
using mhub::testing::CommandResult;
using mhub::testing::MhubBin;
using mhub::testing::NonEmptyLines;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

struct TaskCase {
  std::string arch, task;
  std::string args;            // the inputs on the command line
  Json inputs;                 // the same inputs as a stdin request
  std::string valid;           // a -p the task takes (the control)
  std::string foreign_flag;    // a flag of another task
  std::string bad_value;       // a -p with a value out of range or of a wrong kind
  std::string bad_value_name;  // the parameter the error must name
};

class RunParametersTest : public ::testing::Test {
 protected:
  CommandResult Mhub(const std::string& args, const std::string& input = "") {
    return RunCommand(
        "env HF_HUB_OFFLINE=1 HF_HOME=" + ShellQuote(tmp_ / "home") + " " + ShellQuote(MhubBin()) + " " + args, input);
  }
  // One `mhub: error:` line naming `what`, exit status 1, nothing on stdout.
  void ExpectRefused(const CommandResult& r, const std::string& what, const std::string& context) {
    EXPECT_EQ(r.exit_code, 1) << context << "\nout: " << r.out << "\nerr: " << r.err;
    EXPECT_EQ(NonEmptyLines(r.err).size(), 1u) << context << ": " << r.err;
    EXPECT_EQ(r.err.rfind("mhub: error: ", 0), 0u) << context << ": " << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << context << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << context << ": " << r.out;
  }
  TempDir tmp_;
};

TEST_F(RunParametersTest, UnknownAndInvalidParametersAreErrorsForEveryTask) {
  const std::vector<TaskCase> cases = {
      {"bert", "text-classification", "'i love it'", "i love it", "top_k=1", "--max-new-tokens 3", "top_k=-1", "top_k"},
      {"bert", "token-classification", "'alice lives in paris'", "alice lives in paris", "aggregation_strategy=simple",
       "--top-k 2", "aggregation_strategy=loudest", "aggregation_strategy"},
      {"bert", "fill-mask", "'paris is the [MASK] of france.'", "paris is the [MASK] of france.", "top_k=2",
       "--candidate-labels a,b", "top_k=0", "top_k"},
      {"bert", "question-answering", "--question 'who?' --context 'alice wrote it.'",
       Json{{"question", "who?"}, {"context", "alice wrote it."}}, "max_answer_len=5", "--do-sample",
       "max_answer_len=-3", "max_answer_len"},
      {"bert", "zero-shot-classification", "--candidate-labels sports,politics 'the dog runs'", "the dog runs",
       "multi_label=true", "--max-new-tokens 2", "multi_label=\"yes\"", "multi_label"},
      {"bert", "feature-extraction", "hello", "hello", "normalize=false", "--top-k 3", "pooling=loudest", "pooling"},
      {"gpt2", "text-generation", "hello --max-new-tokens 2", "hello", "top_k=5", "--aggregation-strategy simple",
       "top_k=-4", "top_k"},
  };
  for (const auto& c : cases) {
    const std::string dir = tmp_ / (c.arch + "-" + c.task);
    auto made = Mhub("new-model " + c.arch + " --task " + c.task + " " + ShellQuote(dir));
    ASSERT_EQ(made.exit_code, 0) << c.task << ": " << made.err;
    const std::string run = "run " + c.task + " --model " + ShellQuote(dir) + " " + c.args;

    auto ok = Mhub(run + " -p " + ShellQuote(c.valid));
    EXPECT_EQ(ok.exit_code, 0) << c.task << " " << c.valid << ": " << ok.err;
    EXPECT_TRUE(mhub::ParseJson(ok.out).ok()) << c.task << ": " << ok.out;

    ExpectRefused(Mhub(run + " -p temprature=1"), "'temprature'", c.task + " -p temprature=1");
    ExpectRefused(Mhub(run + " " + c.foreign_flag), "unknown " + c.task + " parameter", c.task + " " + c.foreign_flag);
    ExpectRefused(Mhub(run + " -p " + ShellQuote(c.bad_value)), c.bad_value_name, c.task + " -p " + c.bad_value);

    // The same through a stdin request: an unknown key in "parameters" is refused, a known one answers.
    const std::string stdin_run = "run " + c.task + " --model " + ShellQuote(dir) +
                                  (c.task == "zero-shot-classification" ? " --candidate-labels a,b" : "");
    const std::string valid_key = c.valid.substr(0, c.valid.find('='));
    Json good = {{"inputs", c.inputs}, {"parameters", Json::object()}};
    good["parameters"][valid_key] = Json::parse(c.valid.substr(c.valid.find('=') + 1), nullptr, false).is_discarded()
                                        ? Json(c.valid.substr(c.valid.find('=') + 1))
                                        : Json::parse(c.valid.substr(c.valid.find('=') + 1));
    auto stdin_ok = Mhub(stdin_run, good.dump() + "\n");
    EXPECT_EQ(stdin_ok.exit_code, 0) << c.task << " " << good.dump() << ": " << stdin_ok.err;
    Json unknown = {{"inputs", c.inputs}, {"parameters", {{"not_a_parameter", 1}}}};
    ExpectRefused(Mhub(stdin_run, unknown.dump() + "\n"), "'not_a_parameter'", c.task + " " + unknown.dump());
  }
}

}  // namespace
