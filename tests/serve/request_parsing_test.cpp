// The request parsers against the contracts in serving.md: TGI's validation rules and messages,
// OpenAI's defaults (temperature 1 samples, 0 is greedy), TEI's top-level options, and that no
// malformed body throws or is taken (mutations of valid bodies, deterministic seed).
#include <gtest/gtest.h>

#include <random>

#include "serve/request_parsing.h"

namespace mhub::serve {
namespace {

Json Body(const char* text) {
  auto j = ParseRequestBody(text);
  EXPECT_TRUE(j.ok()) << text << ": " << j.status();
  return j.ok() ? *j : Json::object();
}

std::string Error(const Result<GenerationRequest>& r) { return r.ok() ? "" : r.status().message(); }

TEST(ServeRequestParsing, BodyMustBeOneJsonObject) {
  for (const char* bad : {"", "{", "[1,2]", "\"x\"", "nul", "{\"a\":1}x", "{\"a\":}"}) {
    auto r = ParseRequestBody(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(ParseRequestBody(" {\"inputs\": \"x\"} ").ok());
}

// Messages as TGI's router/src/validation.rs words them (serving.md §3).
TEST(ServeRequestParsing, TgiValidationRules) {
  EXPECT_NE(Error(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"temperature":0}})")))
                .find("`temperature` must be strictly positive"),
            std::string::npos);
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"top_p":1.5}})")).ok());
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"top_p":0}})")).ok());
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"top_k":0}})")).ok());
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"repetition_penalty":0}})")).ok());
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"max_new_tokens":0}})")).ok());
  EXPECT_NE(Error(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"stop":["a","b","c","d","e"]}})")))
                .find("`stop` supports up to 4 stop sequences"),
            std::string::npos);
  // Wrong types name the field.
  EXPECT_NE(
      Error(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"max_new_tokens":"5"}})"))).find("max_new_tokens"),
      std::string::npos);
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"inputs":5})")).ok());
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"parameters":{}})")).ok());
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":[]})")).ok());
  // Knobs this server does not implement are refused, not ignored.
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"grammar":{"type":"ebnf","value":"a"}}})")).ok());
  EXPECT_FALSE(
      ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"grammar":{"type":"json","value":{"$ref":"#"}}}})")).ok());
  EXPECT_FALSE(
      ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"grammar":{"type":"json","value":"{bad"}}})")).ok());
  EXPECT_TRUE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"grammar":{"type":"json","value":{}}}})")).ok());
  EXPECT_FALSE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"best_of":2}})")).ok());

  auto ok = ParseTgiGenerate(
      Body(R"({"inputs":"x","stream":true,"parameters":{"max_new_tokens":7,"stop":"q","seed":3,"details":true}})"));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok->max_new_tokens, 7);
  EXPECT_EQ(ok->stop, std::vector<std::string>{"q"});
  EXPECT_EQ(*ok->seed, 3u);
  EXPECT_TRUE(ok->stream && ok->details);
  EXPECT_FALSE(ok->sampling.do_sample);  // no sampling knob set: greedy
  EXPECT_FALSE(ok->return_full_text.has_value());
  // Any sampling knob turns sampling on (TGI).
  EXPECT_TRUE(ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"top_p":0.5}})"))->sampling.do_sample);
  EXPECT_FALSE(
      ParseTgiGenerate(Body(R"({"inputs":"x","parameters":{"top_p":0.5,"do_sample":false}})"))->sampling.do_sample);
}

TEST(ServeRequestParsing, OpenAiDefaultsAndFields) {
  auto chat = ParseOpenAiChat(Body(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})"));
  ASSERT_TRUE(chat.ok()) << chat.status();
  EXPECT_TRUE(chat->sampling.do_sample);  // temperature defaults to 1
  auto greedy = ParseOpenAiChat(Body(R"({"messages":[{"role":"user","content":"hi"}],"temperature":0})"));
  EXPECT_FALSE(greedy->sampling.do_sample);
  auto parts = ParseOpenAiChat(Body(
      R"({"messages":[{"role":"developer","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"max_tokens":3,"max_completion_tokens":5})"));
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(parts->messages[0]["content"], "ab");
  EXPECT_EQ(parts->messages[0]["role"], "system");
  EXPECT_EQ(*parts->max_new_tokens, 5);  // max_completion_tokens wins
  EXPECT_FALSE(ParseOpenAiChat(Body(R"({"messages":[{"role":"wizard","content":"x"}]})")).ok());
  EXPECT_FALSE(ParseOpenAiChat(Body(R"({"messages":[]})")).ok());
  // A content part whose type is not a string is refused (it threw out of the parser: fuzz finding).
  EXPECT_FALSE(ParseOpenAiChat(Body(R"({"messages":[{"role":"user","content":[{"type":[],"text":"x"}]}]})")).ok());
  EXPECT_FALSE(ParseOpenAiChat(Body(R"({"messages":[{"role":"user","content":[{"type":1,"text":"x"}]}]})")).ok());
  EXPECT_FALSE(ParseOpenAiChat(Body(R"({"messages":[{"role":"user","content":"x"}],"temperature":2.5})")).ok());
  EXPECT_FALSE(ParseOpenAiChat(Body(R"({"messages":[{"role":"user","content":"x"}],"n":2})")).ok());
  EXPECT_FALSE(ParseOpenAiChat(Body(R"({"messages":[{"role":"user","content":"x"}],"top_logprobs":2})")).ok());
  // response_format: json_object / json_schema become a grammar; other types and bad schemas are refused.
  auto json_obj =
      ParseOpenAiChat(Body(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}})"));
  ASSERT_TRUE(json_obj.ok()) << json_obj.status();
  EXPECT_FALSE(json_obj->grammar_regex.empty());
  EXPECT_FALSE(
      ParseOpenAiChat(Body(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"yaml"}})")).ok());
  EXPECT_FALSE(ParseOpenAiChat(Body(R"({"messages":[{"role":"user","content":"x"}],
      "response_format":{"type":"json_schema","json_schema":{"schema":{"$ref":"#/x"}}}})"))
                   .ok());
  auto usage = ParseOpenAiChat(
      Body(R"({"messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}})"));
  EXPECT_TRUE(usage->stream && usage->include_usage);

  // @huggingface/inference flattens TGI parameters into the completions body.
  auto cmpl = ParseOpenAiCompletion(Body(R"({"model":"http://e","prompt":"p","max_new_tokens":4,"do_sample":false,
                                            "return_full_text":false,"details":true})"));
  ASSERT_TRUE(cmpl.ok()) << cmpl.status();
  EXPECT_EQ(*cmpl->max_new_tokens, 4);
  EXPECT_FALSE(cmpl->sampling.do_sample);
  EXPECT_FALSE(ParseOpenAiCompletion(Body(R"({"prompt":["a","b"]})")).ok());
  EXPECT_FALSE(ParseOpenAiCompletion(Body(R"({"prompt":"a","logprobs":9})")).ok());
}

TEST(ServeRequestParsing, TeiAndOpenAiEmbeddingInputs) {
  auto one = ParseTeiInputs(Body(R"({"inputs":"a"})"), 4);
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->batch);
  EXPECT_TRUE(one->normalize);  // TEI's default
  auto many = ParseTeiInputs(Body(R"({"inputs":["a","b"],"normalize":false,"parameters":{"truncate":true}})"), 4);
  ASSERT_TRUE(many.ok());
  EXPECT_TRUE(many->batch);
  EXPECT_FALSE(many->normalize);
  EXPECT_TRUE(many->truncate);
  auto big = ParseTeiInputs(Body(R"({"inputs":["a","b","c","d","e"]})"), 4);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);  // TEI: 413
  EXPECT_FALSE(ParseTeiInputs(Body(R"({"inputs":[]})"), 4).ok());
  EXPECT_FALSE(ParseTeiInputs(Body(R"({"inputs":[1]})"), 4).ok());
  auto oe = ParseOpenAiEmbeddings(Body(R"({"input":["a"],"encoding_format":"base64","model":"x"})"), 4);
  ASSERT_TRUE(oe.ok());
  EXPECT_TRUE(oe->base64);
  EXPECT_FALSE(ParseOpenAiEmbeddings(Body(R"({"input":"a","encoding_format":"hex"})"), 4).ok());
}

// Every mutation of valid bodies is either taken within the limits or refused with
// InvalidArgument / ResourceExhausted; nothing throws.
TEST(ServeRequestParsing, MutatedBodiesNeverThrow) {
  const std::vector<std::string> seeds = {
      R"({"inputs":"Hello","parameters":{"max_new_tokens":5,"temperature":0.5,"stop":["a"]}})",
      R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":3,"logprobs":true,"top_logprobs":2})",
      R"({"prompt":"p","max_tokens":3,"logprobs":2,"stop":"x"})",
      R"({"inputs":["a","b"],"normalize":false})",
  };
  std::mt19937 rng(1234);
  const std::string alphabet = "{}[]\",:0123456789.-eE truefalsnul\\u";
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t pos = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          s.erase(pos, 1);
          break;
        default:
          s.insert(pos, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    auto body = ParseRequestBody(s);
    if (!body.ok()) continue;
    for (auto r : {ParseTgiGenerate(*body), ParseOpenAiChat(*body), ParseOpenAiCompletion(*body)}) {
      if (!r.ok()) {
        ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument) << s;
        continue;
      }
      ++accepted;
      ASSERT_LE(r->stop.size(), 4u) << s;
      if (r->max_new_tokens) {
        ASSERT_GT(*r->max_new_tokens, 0) << s;
      }
      ASSERT_GT(r->sampling.temperature, 0) << s;
    }
    for (auto r : {ParseTeiInputs(*body, 4), ParseOpenAiEmbeddings(*body, 4)}) {
      if (r.ok()) {
        ASSERT_FALSE(r->inputs.empty()) << s;
      }
    }
  }
  EXPECT_GT(accepted, 100);  // the mutations also reach the accepting paths
}

}  // namespace
}  // namespace mhub::serve
