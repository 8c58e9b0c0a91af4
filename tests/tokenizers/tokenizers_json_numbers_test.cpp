// Every integer field of tokenizer.json (a repo's file: untrusted) given a negative, too large,
// fractional or string value: mhub refuses it with InvalidArgument exactly where HF tokenizers
// (its Node binding, Rust core 0.23.2, tests/clients/tokenizers_load_oracle.js) refuses it, and
// accepts what HF accepts, except padding lengths above the bound mhub pads to (refused at load
// rather than failing an allocation at encode time). Before these checks, ids and type ids
// wrapped silently (4294967296 became 0, -1 became 4294967295) and {"Fixed": -1} padded every
// encoding to 2^64-1 tokens (an uncaught std::length_error: abort).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer.h"
#include "support/test_support.h"

namespace mhub::tokenizers {
namespace {

using testing::NodeModulesDir;
using testing::RunCommand;
using testing::ShellQuote;
using testing::SourceDir;

// The place a value goes into: tokenizer.json fields with VALUE where the value is put.
struct Spot {
  const char* name;
  const char* json;
  bool pads = false;  // a padding length: mhub refuses values above its bound that HF takes
  // Saved again with the same value (not added_tokens ids: the vocabulary assigns those anew, as
  // in HF).
  bool round_trips = true;
};

constexpr const char* kModel =
    R"("model":{"type":"WordLevel","vocab":{"[UNK]":0,"a":1,"[CLS]":2,"[SEP]":3},"unk_token":"[UNK]"})";
std::string TokenizerJson(const std::string& fields) {
  return R"({"version":"1.0","normalizer":null,"pre_tokenizer":{"type":"Whitespace"},"decoder":null,)" + fields + "," +
         kModel + "}";
}

std::vector<Spot> Spots() {
  return {
      {"BertProcessing sep id",
       R"("post_processor":{"type":"BertProcessing","sep":["[SEP]",VALUE],"cls":["[CLS]",2]},"added_tokens":[],"padding":null,"truncation":null)"},
      {"RobertaProcessing cls id",
       R"("post_processor":{"type":"RobertaProcessing","sep":["[SEP]",3],"cls":["[CLS]",VALUE],"trim_offsets":true,"add_prefix_space":false},"added_tokens":[],"padding":null,"truncation":null)"},
      {"TemplateProcessing type_id",
       R"("post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"[CLS]","type_id":VALUE}},{"Sequence":{"id":"A","type_id":0}}],"pair":[{"Sequence":{"id":"A","type_id":0}},{"Sequence":{"id":"B","type_id":1}}],"special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]}}},"added_tokens":[],"padding":null,"truncation":null)"},
      {"TemplateProcessing special ids",
       R"("post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],"pair":[{"Sequence":{"id":"A","type_id":0}},{"Sequence":{"id":"B","type_id":1}}],"special_tokens":{"[CLS]":{"id":"[CLS]","ids":[VALUE],"tokens":["[CLS]"]}}},"added_tokens":[],"padding":null,"truncation":null)"},
      {"added_tokens id",
       R"("post_processor":null,"added_tokens":[{"id":VALUE,"content":"[X]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],"padding":null,"truncation":null)",
       false, false},
      {"padding Fixed",
       R"("post_processor":null,"added_tokens":[],"truncation":null,"padding":{"strategy":{"Fixed":VALUE},"direction":"Right","pad_to_multiple_of":null,"pad_id":0,"pad_type_id":0,"pad_token":"[PAD]"})",
       true},
      {"padding pad_to_multiple_of",
       R"("post_processor":null,"added_tokens":[],"truncation":null,"padding":{"strategy":"BatchLongest","direction":"Right","pad_to_multiple_of":VALUE,"pad_id":0,"pad_type_id":0,"pad_token":"[PAD]"})",
       true},
      {"padding pad_id",
       R"("post_processor":null,"added_tokens":[],"truncation":null,"padding":{"strategy":"BatchLongest","direction":"Right","pad_to_multiple_of":null,"pad_id":VALUE,"pad_type_id":0,"pad_token":"[PAD]"})"},
      {"padding pad_type_id",
       R"("post_processor":null,"added_tokens":[],"truncation":null,"padding":{"strategy":"BatchLongest","direction":"Right","pad_to_multiple_of":null,"pad_id":0,"pad_type_id":VALUE,"pad_token":"[PAD]"})"},
      {"truncation max_length",
       R"("post_processor":null,"added_tokens":[],"padding":null,"truncation":{"direction":"Right","max_length":VALUE,"strategy":"LongestFirst","stride":0})"},
      {"truncation stride",
       R"("post_processor":null,"added_tokens":[],"padding":null,"truncation":{"direction":"Right","max_length":8,"strategy":"LongestFirst","stride":VALUE})"},
  };
}

// Values around every edge: negative, the u32 and i64/u64 limits, fractions, exponents, strings,
// other JSON types; and ordinary ones.
const std::vector<std::string> kValues = {
    "-1",
    "-9223372036854775808",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "1.5",
    "2.0",
    "1e3",
    "-0.0",
    "\"1\"",
    "true",
    "[1]",
    "{}",
    "0",
    "1",
    "5",
};

TEST(TokenizerJsonNumbers, RefusedWhereHfRefusesAndNeverWrapped) {
  struct Case {
    std::string spot;
    std::string value;
    bool pads;
    bool round_trips;
    std::string json;
  };
  std::vector<Case> cases;
  Json texts = Json::array();
  for (const Spot& spot : Spots()) {
    for (const std::string& value : kValues) {
      std::string json = TokenizerJson(spot.json);
      json.replace(json.find("VALUE"), 5, value);
      cases.push_back({spot.name, value, spot.pads, spot.round_trips, json});
      texts.push_back(json);
    }
  }
  auto r = RunCommand("NODE_MODULES_DIR=" + ShellQuote(NodeModulesDir()) + " node " +
                          ShellQuote(SourceDir() + "/tests/clients/tokenizers_load_oracle.js"),
                      DumpJson(texts));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto oracle = ParseJson(r.out, "oracle output");
  ASSERT_TRUE(oracle.ok()) << oracle.status();
  ASSERT_EQ(oracle->size(), cases.size());
  int refused = 0, bounded = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.spot + " = " + c.value + "\n" + c.json);
    const Json& want = (*oracle)[i];
    auto got = Tokenizer::FromJson(c.json);
    if (!want["ok"].get<bool>()) {
      ++refused;
      ASSERT_FALSE(got.ok()) << "HF refuses it: " << want["error"];
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << got.status();
      continue;
    }
    // Above the padding bound (1M tokens) mhub refuses what HF takes.
    const bool huge = c.value.size() >= 10 && c.value[0] != '-';
    if (c.pads && huge) {
      ++bounded;
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << got.status();
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status();
    // Saved again, the value is the same number (not wrapped into another id); what loaded
    // encodes, or says why it cannot, without crashing.
    if (c.round_trips && c.value.find_first_not_of("0123456789") == std::string::npos) {
      EXPECT_NE(got->ToJsonString(false).find(c.value), std::string::npos) << got->ToJsonString(false);
    }
    (void)got->EncodePair("a a a", "a", true);
  }
  // The table exercises both sides.
  EXPECT_GT(refused, 100);
  EXPECT_GT(bounded, 0);
}

}  // namespace
}  // namespace mhub::tokenizers
