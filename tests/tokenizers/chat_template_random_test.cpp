// Differential test on random expressions: thousands of generated `{{ expr }}` and `{% if %}`
// templates over a fixed set of variables, rendered by mhub and by @huggingface/jinja. Wherever the
// reference renders, mhub must print the same bytes. (Where the reference fails, mhub may fail or,
// for the documented Python-compatible extensions, succeed.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/tokenizers/chat_template.h"
#include "support/test_support.h"

namespace mhub::tokenizers {
namespace {

using testing::NodeModulesDir;
using testing::RunCommand;
using testing::ShellQuote;
using testing::SourceDir;

class ExprGen {
 public:
  explicit ExprGen(uint32_t seed) : rng_(seed) {}

  std::string Expr(int depth) {
    if (depth <= 0) return Atom();
    switch (Pick(9)) {
      case 0:
        return Atom();
      case 1:
        return Expr(depth - 1) + " " + Of(kBinary) + " " + Expr(depth - 1);
      case 2:
        return "(" + Expr(depth - 1) + ")";
      case 3:
        return Expr(depth - 1) + "|" + Of(kFilters);
      case 4:
        return Expr(depth - 1) + " is " + (Pick(3) == 0 ? "not " : "") + Of(kTests);
      case 5:
        return Primary(depth - 1) + Of(kPostfix);
      case 6:
        return Of(kUnary) + Primary(depth - 1);
      case 7:
        return Expr(depth - 1) + " if " + Expr(depth - 1) + " else " + Expr(depth - 1);
      default:
        return "[" + Expr(depth - 1) + ", " + Expr(depth - 1) + "]";
    }
  }

 private:
  static constexpr const char* kAtoms[] = {
      "s",
      "e",
      "n",
      "f",
      "neg",
      "l",
      "sl",
      "d",
      "t",
      "nn",
      "msgs",
      "msgs[0]",
      "1",
      "2",
      "-1",
      "0.5",
      "'a'",
      "\"xy\"",
      "true",
      "false",
      "none",
      "[1, 'a']",
      "{'a': 1}",
      "''",
      "'é z'",
      "3",
      "ns",
      "undefinedvar",
      "msgs[1].content",
      "d.k",
      "l[0]",
      "'  pad '",
      "'A,b,,C'",
  };
  static constexpr const char* kBinary[] = {
      "+", "-", "*", "/", "//", "%", "~", "==", "!=", "<", ">", "<=", ">=", "and", "or", "in", "not in"};
  static constexpr const char* kFilters[] = {
      "length",
      "upper",
      "lower",
      "trim",
      "first",
      "last",
      "join",
      "list",
      "tojson",
      "string",
      "int",
      "float",
      "abs",
      "reverse",
      "sort",
      "unique",
      "items",
      "capitalize",
      "title",
      "default('z')",
      "join(', ')",
      "safe",
      "tojson(indent=2)",
      "replace('a', 'b')",
      "indent",
      "dictsort",
      "default(1, true)",
      "map(attribute='role')|list",
      "selectattr('role', 'equalto', 'user')|list",
  };
  static constexpr const char* kTests[] = {"defined", "none", "string", "mapping",  "iterable", "number", "integer",
                                           "boolean", "odd",  "even",   "sequence", "lower",    "true"};
  static constexpr const char* kPostfix[] = {
      "[0]",
      "[1:]",
      "[::-1]",
      "[-1]",
      "[:2]",
      ".upper()",
      ".strip()",
      ".split()",
      ".keys()",
      ".items()",
      ".get('k')",
      ".lower()",
      ".title()",
      ".length",
      "['k']",
      ".content",
      ".split(',')",
      ".startswith('a')",
      ".endswith(('x', 'z'))",
      ".replace(' ', '_')",
      ".values()",
      ".lstrip()",
      ".get('zz', 'dflt')",
      ".role",
  };
  static constexpr const char* kUnary[] = {"not ", "-", "not not "};

  template <size_t N>
  std::string Of(const char* const (&arr)[N]) {
    return arr[Pick(N)];
  }
  size_t Pick(size_t n) { return rng_() % n; }
  std::string Atom() { return Of(kAtoms); }
  std::string Primary(int depth) {
    if (depth <= 0 || Pick(2) == 0) return Atom();
    return "(" + Expr(depth) + ")";
  }

  std::mt19937 rng_;
};

OrderedJson Vars() {
  return OrderedJson::parse(R"({
    "s": "Hello World", "e": "", "n": 3, "f": 2.5, "neg": -4, "l": [1, 2, 3], "sl": ["b", "a", "C"],
    "d": {"k": "v", "n": 1}, "t": true, "nn": null,
    "msgs": [{"role": "user", "content": "hi \"you\"\n"}, {"role": "assistant", "content": " yo "}],
    "ns": {"z": [1, {"y": null}]}
  })");
}

TEST(ChatTemplateRandomTest, RandomExpressionsMatchReference) {
  ExprGen gen(424242);
  std::vector<std::string> templates;
  for (int k = 0; k < 2500; ++k) {
    std::string e = gen.Expr(1 + k % 3);
    templates.push_back(k % 4 == 3 ? "{% if " + e + " %}T{% else %}F{% endif %}" : "{{ " + e + " }}");
  }
  OrderedJson in = OrderedJson::array();
  const OrderedJson vars = Vars();
  for (const auto& t : templates) in.push_back(OrderedJson{{"template", t}, {"vars", vars}});
  auto r = RunCommand("NODE_MODULES_DIR=" + ShellQuote(NodeModulesDir()) + " node " +
                          ShellQuote(SourceDir() + "/tests/clients/tokenizers_chat_oracle.js"),
                      DumpJson(in));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto want = ParseOrderedJson(r.out, "oracle output");
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_EQ(want->size(), templates.size());
  size_t compared = 0, both_failed = 0, only_mhub = 0;
  for (size_t k = 0; k < templates.size(); ++k) {
    auto tmpl = ChatTemplate::Parse(templates[k]);
    Result<std::string> got = tmpl.ok() ? tmpl->Render(vars) : Result<std::string>(tmpl.status());
    const OrderedJson& w = (*want)[k];
    if (!w["ok"].get<bool>()) {
      if (!got.ok()) {
        ++both_failed;
      } else {
        ++only_mhub;
        if (std::getenv("MHUB_TEST_VERBOSE")) {
          std::cerr << "reference refused, mhub rendered: " << templates[k] << " -> " << *got
                    << "\n  reference: " << w["error"].get<std::string>() << "\n";
        }
      }
      continue;
    }
    ++compared;
    ASSERT_TRUE(got.ok()) << templates[k] << "\nreference: " << w["text"].get<std::string>()
                          << "\nmhub: " << got.status();
    EXPECT_EQ(*got, w["text"].get<std::string>()) << templates[k];
  }
  // The generator is tuned so that most expressions are valid; both engines must see that.
  EXPECT_GT(compared, templates.size() / 3) << "compared " << compared << ", both failed " << both_failed;
  EXPECT_EQ(only_mhub, 0u) << "mhub accepted expressions the reference rejects (MHUB_TEST_VERBOSE=1 lists them)";
  std::cerr << "random expressions: " << compared << " compared, " << both_failed << " rejected by both, " << only_mhub
            << " rendered only by mhub, of " << templates.size() << "\n";
}

}  // namespace
}  // namespace mhub::tokenizers
