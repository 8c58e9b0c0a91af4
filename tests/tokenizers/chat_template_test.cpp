// Chat-template engine properties that need no oracle: error positions, resource limits on hostile
// templates, thread safety, and the places where mhub follows Python/transformers instead of
// @huggingface/jinja (string length in code points, strip(chars)).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "mhub/tokenizers/chat_template.h"

namespace mhub::tokenizers {
namespace {

Result<std::string> RenderText(const std::string& source, const OrderedJson& vars = OrderedJson::object(),
                               ChatTemplateLimits limits = {}) {
  MHUB_ASSIGN_OR_RETURN(ChatTemplate t, ChatTemplate::Parse(source, limits));
  return t.Render(vars);
}

TEST(ChatTemplateTest, SyntaxErrorsNameLineAndColumn) {
  auto r = ChatTemplate::Parse("line one\n{% if true %}\n  {{ x + }}\n{% endif %}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 3, column 10"), std::string::npos) << r.status();

  auto unclosed = ChatTemplate::Parse("{% for m in messages %}\n{{ m }}");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_NE(unclosed.status().message().find("endfor"), std::string::npos) << unclosed.status();

  auto bad_char = ChatTemplate::Parse("ok\n{{ a ; b }}");
  ASSERT_FALSE(bad_char.ok());
  EXPECT_NE(bad_char.status().message().find("line 2, column 6"), std::string::npos) << bad_char.status();
}

TEST(ChatTemplateTest, RuntimeErrorsNameTheirPositionAndRaiseExceptionMessage) {
  auto r = RenderText("a\nb {{ raise_exception('Roles must alternate') }}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("Roles must alternate"), std::string::npos) << r.status();

  auto type_error = RenderText("{{ 'a' - 1 }}");
  ASSERT_FALSE(type_error.ok());
  EXPECT_NE(type_error.status().message().find("line 1, column"), std::string::npos) << type_error.status();
}

TEST(ChatTemplateTest, HostileTemplatesHitLimitsInsteadOfCrashing) {
  // Unbounded macro recursion.
  auto rec = RenderText("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), StatusCode::kResourceExhausted) << rec.status();
  // Output doubling.
  auto grow = RenderText(
      "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
      "{% endfor %}{{ ns.s }}");
  ASSERT_FALSE(grow.ok());
  EXPECT_EQ(grow.status().code(), StatusCode::kResourceExhausted) << grow.status();
  // Quadratic loops beyond the step budget.
  ChatTemplateLimits small;
  small.max_steps = 100000;
  auto loops = RenderText("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}", {}, small);
  ASSERT_FALSE(loops.ok());
  EXPECT_EQ(loops.status().code(), StatusCode::kResourceExhausted) << loops.status();
  // Lists that grow exponentially by aliasing.
  auto lists = RenderText(
      "{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}"
      "{% endfor %}{{ ns.l|length }}");
  ASSERT_FALSE(lists.ok());
  EXPECT_EQ(lists.status().code(), StatusCode::kResourceExhausted) << lists.status();
  // A namespace that contains itself cannot be printed forever.
  auto cycle = RenderText("{% set ns = namespace() %}{% set ns.self = ns %}{{ ns|tojson }}");
  ASSERT_FALSE(cycle.ok());
  // Huge range.
  auto range = RenderText("{{ range(100000000000)|length }}");
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().code(), StatusCode::kResourceExhausted) << range.status();
}

TEST(ChatTemplateTest, DeepNestingIsAnErrorNotAStackOverflow) {
  for (std::string open : {"(", "[", "not ", "-", "{% if true %}"}) {
    std::string src = "{{ ";
    if (open.rfind("{%", 0) == 0) src.clear();
    for (int k = 0; k < 100000; ++k) src += open;
    src += "1";
    auto r = ChatTemplate::Parse(src);
    EXPECT_FALSE(r.ok()) << open;
  }
  OrderedJson deep = 1;
  for (int k = 0; k < 400; ++k) deep = OrderedJson::array({deep});
  auto r = RenderText("{{ x|tojson }}", OrderedJson{{"x", deep}});
  ASSERT_FALSE(r.ok());
}

TEST(ChatTemplateTest, ParsedTemplateRendersConcurrently) {
  auto t = ChatTemplate::Parse(
      "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{{ m.content }}{% endfor %}"
      "{{ ns.n }}");
  ASSERT_TRUE(t.ok());
  std::vector<std::thread> threads;
  std::vector<std::string> results(8);
  for (int k = 0; k < 8; ++k) {
    threads.emplace_back([&, k] {
      OrderedJson vars = {{"messages", OrderedJson::array()}};
      for (int m = 0; m <= k; ++m) vars["messages"].push_back({{"content", std::to_string(m)}});
      auto r = t->Render(vars);
      results[static_cast<size_t>(k)] = r.ok() ? *r : r.status().ToString();
    });
  }
  for (auto& th : threads) th.join();
  for (int k = 0; k < 8; ++k) {
    std::string want;
    for (int m = 0; m <= k; ++m) want += std::to_string(m);
    want += std::to_string(k + 1);
    EXPECT_EQ(results[static_cast<size_t>(k)], want);
  }
}

// Where @huggingface/jinja follows JavaScript and Python Jinja2 (what transformers runs) differs,
// mhub takes the Python behaviour: string lengths and indexes count code points, strip() takes chars.
TEST(ChatTemplateTest, PythonSemanticsWhereTheJsReferenceDiffers) {
  auto len = RenderText("{{ '😀a'|length }} {{ '😀a'[1] }} {{ '😀a'.length }}");
  ASSERT_TRUE(len.ok()) << len.status();
  EXPECT_EQ(*len, "2 a 2");
  auto strip = RenderText("{{ 'xxhixx'.strip('x') }}|{{ '\\n\\n a'.lstrip('\\n') }}|{{ 'ab  '.rstrip() }}");
  ASSERT_TRUE(strip.ok()) << strip.status();
  EXPECT_EQ(*strip, "hi| a|ab");
}

TEST(ChatTemplateTest, ApplyChatTemplatePassesTheTransformersVariables) {
  auto t = ChatTemplate::Parse(
      "{{ messages|length }}|{{ tools is defined }}{{ tools is none }}|{{ documents is none }}|"
      "{{ add_generation_prompt }}|{{ bos_token }}");
  ASSERT_TRUE(t.ok());
  ChatTemplateInputs in;
  in.messages = OrderedJson::array({{{"role", "user"}, {"content", "x"}}});
  in.add_generation_prompt = true;
  in.extra = {{"bos_token", "<s>"}};
  auto r = ApplyChatTemplate(*t, in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "1|truetrue|true|true|<s>");
  in.extra = OrderedJson::array();
  EXPECT_FALSE(ApplyChatTemplate(*t, in).ok());
}

}  // namespace
}  // namespace mhub::tokenizers
