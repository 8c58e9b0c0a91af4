// Tokenizer: tokenizer.json load/save and the public API around the encode pipeline.
#include "mhub/tokenizers/tokenizer.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "mhub/base/env.h"
#include "tokenizers/encoding_ops.h"
#include "tokenizers/json_numbers.h"
#include "tokenizers/tokenizer_impl.h"
#include "tokenizers/tokenizer_json_reader.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

// Padding writes up to this many tokens into every encoding: a tokenizer.json (a repo's file)
// asking for more is refused at load rather than failing an allocation on the first encode. The
// bound of pair overflow (encoding_ops.h), far above any real model's padding.
constexpr uint64_t kMaxPaddedLength = kMaxPairOverflowTokens;

Result<Direction> ParseDirection(const Json& j, std::string_view path) {
  MHUB_ASSIGN_OR_RETURN(std::string d, JsonStringOr(j, "direction", path, "Right"));
  if (d == "Right") return Direction::kRight;
  if (d == "Left") return Direction::kLeft;
  return Status::InvalidArgument(std::string(path) + ".direction: expected \"Left\" or \"Right\", got '" + d + "'");
}

Result<std::optional<TruncationParams>> ParseTruncation(const Json& j) {
  if (j.is_null()) return std::optional<TruncationParams>();
  if (!j.is_object()) return Status::InvalidArgument("truncation: expected object or null");
  TruncationParams t;
  MHUB_ASSIGN_OR_RETURN(t.direction, ParseDirection(j, "truncation"));
  // usize in HF: any size (a large max_length only means no truncation).
  MHUB_ASSIGN_OR_RETURN(uint64_t max_length, JsonCountField(j, "max_length", "truncation", SIZE_MAX));
  MHUB_ASSIGN_OR_RETURN(uint64_t stride, JsonCountField(j, "stride", "truncation", SIZE_MAX));
  MHUB_ASSIGN_OR_RETURN(std::string strategy, JsonString(j, "strategy", "truncation"));
  t.max_length = static_cast<size_t>(max_length);
  t.stride = static_cast<size_t>(stride);
  if (strategy == "LongestFirst") {
    t.strategy = TruncationStrategy::kLongestFirst;
  } else if (strategy == "OnlyFirst") {
    t.strategy = TruncationStrategy::kOnlyFirst;
  } else if (strategy == "OnlySecond") {
    t.strategy = TruncationStrategy::kOnlySecond;
  } else {
    return Status::InvalidArgument("truncation.strategy: unknown strategy '" + strategy + "'");
  }
  return std::optional<TruncationParams>(t);
}

Result<std::optional<PaddingParams>> ParsePadding(const Json& j) {
  if (j.is_null()) return std::optional<PaddingParams>();
  if (!j.is_object()) return Status::InvalidArgument("padding: expected object or null");
  PaddingParams p;
  if (j.contains("strategy")) {
    const Json& s = j["strategy"];
    if (s.is_string() && s.get<std::string>() == "BatchLongest") {
      p.strategy = PaddingStrategy::kLongest;
    } else if (s.is_object() && s.contains("Fixed") && s["Fixed"].is_number()) {
      p.strategy = PaddingStrategy::kMaxLength;
      MHUB_ASSIGN_OR_RETURN(p.max_length, JsonToCount(s["Fixed"], "padding.strategy.Fixed", kMaxPaddedLength));
    } else {
      return Status::InvalidArgument("padding.strategy: expected \"BatchLongest\" or {\"Fixed\": n}");
    }
  }
  MHUB_ASSIGN_OR_RETURN(p.direction, ParseDirection(j, "padding"));
  MHUB_ASSIGN_OR_RETURN(p.pad_to_multiple_of, JsonCountOr(j, "pad_to_multiple_of", "padding", kMaxPaddedLength, 0));
  MHUB_ASSIGN_OR_RETURN(p.pad_id, JsonU32Or(j, "pad_id", "padding", 0));
  MHUB_ASSIGN_OR_RETURN(p.pad_type_id, JsonU32Or(j, "pad_type_id", "padding", 0));
  MHUB_ASSIGN_OR_RETURN(p.pad_token, JsonStringOr(j, "pad_token", "padding", "[PAD]"));
  return std::optional<PaddingParams>(p);
}

Result<std::vector<AddedToken>> ParseAddedTokens(const Json& j) {
  std::vector<AddedToken> out;
  if (j.is_null()) return out;
  if (!j.is_array()) return Status::InvalidArgument("added_tokens: expected array");
  for (size_t i = 0; i < j.size(); ++i) {
    std::string p = "added_tokens[" + std::to_string(i) + "]";
    const Json& t = j[i];
    if (!t.is_object()) return Status::InvalidArgument(p + ": expected object");
    AddedToken a;
    MHUB_ASSIGN_OR_RETURN(a.id, JsonU32(t, "id", p));
    MHUB_ASSIGN_OR_RETURN(a.content, JsonString(t, "content", p));
    if (!unicode::IsValidUtf8(a.content)) return Status::InvalidArgument(p + ".content: invalid UTF-8");
    MHUB_ASSIGN_OR_RETURN(a.single_word, JsonBool(t, "single_word", p));
    MHUB_ASSIGN_OR_RETURN(a.lstrip, JsonBool(t, "lstrip", p));
    MHUB_ASSIGN_OR_RETURN(a.rstrip, JsonBool(t, "rstrip", p));
    MHUB_ASSIGN_OR_RETURN(a.normalized, JsonBool(t, "normalized", p));
    MHUB_ASSIGN_OR_RETURN(a.special, JsonBool(t, "special", p));
    out.push_back(std::move(a));
  }
  return out;
}

const char* DirectionName(Direction d) { return d == Direction::kLeft ? "Left" : "Right"; }

std::string CleanUpTokenization(std::string s) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules) {
    std::string out;
    std::string_view f(from);
    size_t pos = 0;
    while (true) {
      size_t hit = s.find(f, pos);
      if (hit == std::string::npos) break;
      out.append(s, pos, hit - pos);
      out += to;
      pos = hit + f.size();
    }
    out.append(s, pos, std::string::npos);
    s = std::move(out);
  }
  return s;
}

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Result<Tokenizer> Tokenizer::FromJson(std::string_view json_text) {
  MHUB_ASSIGN_OR_RETURN(TokenizerJsonParts parts, ReadTokenizerJson(json_text));
  Json& j = parts.rest;
  if (j.contains("version")) {
    if (!j["version"].is_string() || j["version"].get<std::string>() != "1.0") {
      return Status::InvalidArgument("version: unknown tokenizer version " + DumpJson(j["version"]));
    }
  }
  auto impl = std::make_unique<Impl>();
  if (!j.contains("model")) return Status::InvalidArgument("model: missing field `model`");
  if (j.contains("normalizer") && !j["normalizer"].is_null()) {
    MHUB_ASSIGN_OR_RETURN(impl->normalizer, Normalizer::FromJson(j["normalizer"], "normalizer"));
  }
  if (j.contains("pre_tokenizer") && !j["pre_tokenizer"].is_null()) {
    MHUB_ASSIGN_OR_RETURN(impl->pre_tokenizer, PreTokenizer::FromJson(j["pre_tokenizer"], "pre_tokenizer"));
  }
  { MHUB_ASSIGN_OR_RETURN(impl->model, Model::FromJson(j["model"], std::move(parts.tables), "model")); }
  if (j.contains("post_processor") && !j["post_processor"].is_null()) {
    MHUB_ASSIGN_OR_RETURN(impl->post_processor, PostProcessor::FromJson(j["post_processor"], "post_processor"));
  }
  if (j.contains("decoder") && !j["decoder"].is_null()) {
    MHUB_ASSIGN_OR_RETURN(impl->decoder, Decoder::FromJson(j["decoder"], "decoder"));
  }
  if (j.contains("truncation")) {
    MHUB_ASSIGN_OR_RETURN(impl->truncation, ParseTruncation(j["truncation"]));
  }
  if (j.contains("padding")) {
    MHUB_ASSIGN_OR_RETURN(impl->padding, ParsePadding(j["padding"]));
  }
  if (j.contains("added_tokens")) {
    MHUB_ASSIGN_OR_RETURN(auto added, ParseAddedTokens(j["added_tokens"]));
    impl->added.AddTokens(added, *impl->model, impl->normalizer.get());
  }
  if (impl->pre_tokenizer && impl->model->SupportsByteLevelInput()) {
    impl->byte_level_input = impl->pre_tokenizer->DeferByteLevelMapping();
  }
  return Tokenizer(std::move(impl));
}

Result<Tokenizer> Tokenizer::FromFile(const std::string& path) {
  std::string text;
  MHUB_ASSIGN_OR_RETURN(text, ReadFile(path));
  auto t = FromJson(text);
  if (!t.ok()) return t.status().WithContext("while loading " + path);
  return t;
}

Result<Tokenizer> Tokenizer::FromPretrained(const std::string& folder) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(folder, ec)) return FromFile(folder);
  std::string path = folder + "/tokenizer.json";
  if (!std::filesystem::exists(path, ec)) return Status::NotFound("no tokenizer.json in " + folder);
  return FromFile(path);
}

Result<Encoding> Tokenizer::Encode(std::string_view text, bool add_special_tokens) const {
  return Encode(text, EncodeOptions{add_special_tokens, OffsetType::kChar});
}

Result<Encoding> Tokenizer::Encode(std::string_view text, const EncodeOptions& options) const {
  return impl_->EncodeFull({text}, false, nullptr, options.add_special_tokens, options.offset_type, true);
}

Result<Encoding> Tokenizer::EncodePair(std::string_view first, std::string_view second, bool add_special_tokens) const {
  return EncodePair(first, second, EncodeOptions{add_special_tokens, OffsetType::kChar});
}

Result<Encoding> Tokenizer::EncodePair(std::string_view first, std::string_view second,
                                       const EncodeOptions& options) const {
  std::vector<std::string_view> b{second};
  return impl_->EncodeFull({first}, false, &b, options.add_special_tokens, options.offset_type, true);
}

Result<Encoding> Tokenizer::EncodePreTokenized(const std::vector<std::string>& words, bool add_special_tokens) const {
  std::vector<std::string_view> a(words.begin(), words.end());
  return impl_->EncodeFull(a, true, nullptr, add_special_tokens, OffsetType::kChar, true);
}

Result<Encoding> Tokenizer::EncodePreTokenizedPair(const std::vector<std::string>& first,
                                                   const std::vector<std::string>& second,
                                                   bool add_special_tokens) const {
  std::vector<std::string_view> a(first.begin(), first.end());
  std::vector<std::string_view> b(second.begin(), second.end());
  return impl_->EncodeFull(a, true, &b, add_special_tokens, OffsetType::kChar, true);
}

namespace {
template <typename Fn>
Status ParallelFor(size_t n, int threads, Fn&& fn) {
  size_t t = threads > 0 ? static_cast<size_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
  t = std::min(t, std::max<size_t>(n, 1));
  std::vector<Status> errors(n);
  std::atomic<size_t> next{0};
  // Work is handed out in blocks so threads neither fight over the counter nor write
  // neighbouring outputs.
  const size_t block = std::clamp<size_t>(n / (t * 16), 1, 256);
  auto worker = [&]() {
    for (size_t b; (b = next.fetch_add(block)) < n;) {
      const size_t e = std::min(n, b + block);
      for (size_t i = b; i < e; ++i) errors[i] = fn(i);
    }
  };
  if (t <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (size_t k = 0; k < t; ++k) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
  }
  for (size_t i = 0; i < n; ++i) {
    if (!errors[i].ok()) return errors[i].WithContext("input " + std::to_string(i));
  }
  return Status::OK();
}

// Runs `encode_one(i)` for the n inputs of a batch on `threads` threads, then pads the batch
// together when `padding` is set.
template <typename EncodeOne>
Result<std::vector<Encoding>> EncodeAndPadBatch(size_t n, int threads, const std::optional<PaddingParams>& padding,
                                                EncodeOne&& encode_one) {
  std::vector<Encoding> out(n);
  MHUB_RETURN_IF_ERROR(ParallelFor(n, threads, [&](size_t i) -> Status {
    auto r = encode_one(i);
    if (!r.ok()) return r.status();
    out[i] = std::move(r).value();
    return Status::OK();
  }));
  if (padding) {
    std::vector<Encoding*> ptrs;
    for (auto& e : out) ptrs.push_back(&e);
    PadEncodings(ptrs, *padding);
  }
  return out;
}
}  // namespace

Result<std::vector<Encoding>> Tokenizer::EncodeBatch(const std::vector<std::string>& texts, bool add_special_tokens,
                                                     int threads) const {
  return EncodeBatch(texts, EncodeOptions{add_special_tokens, OffsetType::kChar}, threads);
}

Result<std::vector<Encoding>> Tokenizer::EncodeBatch(const std::vector<std::string>& texts,
                                                     const EncodeOptions& options, int threads) const {
  return EncodeAndPadBatch(texts.size(), threads, impl_->padding, [&](size_t i) {
    return impl_->EncodeFull({texts[i]}, false, nullptr, options.add_special_tokens, options.offset_type, false);
  });
}

Result<std::vector<Encoding>> Tokenizer::EncodePairBatch(const std::vector<std::pair<std::string, std::string>>& pairs,
                                                         const EncodeOptions& options, int threads) const {
  return EncodeAndPadBatch(pairs.size(), threads, impl_->padding, [&](size_t i) {
    std::vector<std::string_view> b{pairs[i].second};
    return impl_->EncodeFull({pairs[i].first}, false, &b, options.add_special_tokens, options.offset_type, false);
  });
}

Result<std::string> Tokenizer::Decode(const std::vector<uint32_t>& ids, bool skip_special_tokens,
                                      bool clean_up_tokenization_spaces) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (uint32_t id : ids) {
    const std::string* tok = impl_->added.IdToToken(id);
    if (tok == nullptr) tok = impl_->model->IdToToken(id);
    if (tok == nullptr) continue;
    if (skip_special_tokens && impl_->added.IsSpecialContent(*tok)) continue;
    tokens.push_back(*tok);
  }
  std::string text;
  if (impl_->decoder) {
    MHUB_ASSIGN_OR_RETURN(text, impl_->decoder->Decode(std::move(tokens)));
  } else {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i) text += ' ';
      text += tokens[i];
    }
  }
  if (clean_up_tokenization_spaces) text = CleanUpTokenization(std::move(text));
  return text;
}

Result<std::vector<std::string>> Tokenizer::DecodeBatch(const std::vector<std::vector<uint32_t>>& ids,
                                                        bool skip_special_tokens, bool clean_up_tokenization_spaces,
                                                        int threads) const {
  std::vector<std::string> out(ids.size());
  MHUB_RETURN_IF_ERROR(ParallelFor(ids.size(), threads, [&](size_t i) -> Status {
    auto r = Decode(ids[i], skip_special_tokens, clean_up_tokenization_spaces);
    if (!r.ok()) return r.status();
    out[i] = std::move(r).value();
    return Status::OK();
  }));
  return out;
}

std::optional<uint32_t> Tokenizer::TokenToId(std::string_view token) const {
  if (auto id = impl_->added.TokenToId(token)) return id;
  return impl_->model->TokenToId(token);
}

std::optional<std::string> Tokenizer::IdToToken(uint32_t id) const {
  if (const std::string* t = impl_->added.IdToToken(id)) return *t;
  if (const std::string* t = impl_->model->IdToToken(id)) return *t;
  return std::nullopt;
}

size_t Tokenizer::GetVocabSize(bool with_added_tokens) const {
  size_t n = impl_->model->VocabSize();
  if (!with_added_tokens) return n;
  for (const AddedToken& t : impl_->added.Tokens()) {
    if (!impl_->model->TokenToId(t.content)) ++n;
  }
  return n;
}

std::unordered_map<std::string, uint32_t> Tokenizer::GetVocab(bool with_added_tokens) const {
  auto vocab = impl_->model->GetVocab();
  if (with_added_tokens) {
    for (const AddedToken& t : impl_->added.Tokens()) vocab[t.content] = t.id;
  }
  return vocab;
}

std::vector<AddedToken> Tokenizer::GetAddedTokens() const { return impl_->added.Tokens(); }
bool Tokenizer::IsSpecialId(uint32_t id) const { return impl_->added.IsSpecialId(id); }
size_t Tokenizer::NumSpecialTokensToAdd(bool is_pair) const {
  return impl_->post_processor ? impl_->post_processor->AddedTokens(is_pair) : 0;
}

void Tokenizer::SetPadding(std::optional<PaddingParams> params) { impl_->padding = std::move(params); }

Status Tokenizer::SetTruncation(std::optional<TruncationParams> params) {
  if (params) {
    size_t added = NumSpecialTokensToAdd(false);
    if (params->max_length < added || params->stride >= params->max_length - added) {
      return Status::InvalidArgument("truncation stride " + std::to_string(params->stride) +
                                     " must be smaller than max_length minus the special tokens (" +
                                     std::to_string(params->max_length) + " - " + std::to_string(added) + ")");
    }
  }
  impl_->truncation = params;
  return Status::OK();
}

const std::optional<PaddingParams>& Tokenizer::padding() const { return impl_->padding; }
const std::optional<TruncationParams>& Tokenizer::truncation() const { return impl_->truncation; }
void Tokenizer::SetEncodeSpecialTokens(bool on) { impl_->encode_special_tokens = on; }

size_t Tokenizer::AddTokens(const std::vector<AddedToken>& tokens) {
  return impl_->added.AddTokens(tokens, *impl_->model, impl_->normalizer.get());
}

Json Tokenizer::ToJson() const {
  Json j;
  j["version"] = "1.0";
  if (impl_->truncation) {
    const auto& t = *impl_->truncation;
    static const char* kStrategies[] = {"LongestFirst", "OnlyFirst", "OnlySecond"};
    j["truncation"] = Json{{"direction", DirectionName(t.direction)},
                           {"max_length", t.max_length},
                           {"strategy", kStrategies[static_cast<int>(t.strategy)]},
                           {"stride", t.stride}};
  } else {
    j["truncation"] = nullptr;
  }
  if (impl_->padding) {
    const auto& p = *impl_->padding;
    Json strategy = p.strategy == PaddingStrategy::kLongest ? Json("BatchLongest") : Json{{"Fixed", p.max_length}};
    j["padding"] = Json{{"strategy", strategy},
                        {"direction", DirectionName(p.direction)},
                        {"pad_to_multiple_of", p.pad_to_multiple_of ? Json(p.pad_to_multiple_of) : Json(nullptr)},
                        {"pad_id", p.pad_id},
                        {"pad_type_id", p.pad_type_id},
                        {"pad_token", p.pad_token}};
  } else {
    j["padding"] = nullptr;
  }
  Json added = Json::array();
  for (const AddedToken& t : impl_->added.Tokens()) {
    added.push_back(Json{{"id", t.id},
                         {"content", t.content},
                         {"single_word", t.single_word},
                         {"lstrip", t.lstrip},
                         {"rstrip", t.rstrip},
                         {"normalized", t.normalized},
                         {"special", t.special}});
  }
  j["added_tokens"] = added;
  j["normalizer"] = impl_->normalizer ? impl_->normalizer->ToJson() : Json(nullptr);
  j["pre_tokenizer"] = impl_->pre_tokenizer ? impl_->pre_tokenizer->ToJson() : Json(nullptr);
  j["post_processor"] = impl_->post_processor ? impl_->post_processor->ToJson() : Json(nullptr);
  j["decoder"] = impl_->decoder ? impl_->decoder->ToJson() : Json(nullptr);
  j["model"] = impl_->model->ToJson();
  return j;
}

std::string Tokenizer::ToJsonString(bool pretty) const {
  // HF field order at the top level.
  Json j = ToJson();
  OrderedJson o;
  for (const char* key : {"version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer",
                          "post_processor", "decoder", "model"}) {
    o[key] = OrderedJson::parse(j[key].dump());
  }
  return DumpJson(o, pretty ? 2 : -1);
}

Status Tokenizer::Save(const std::string& path, bool pretty) const {
  return WriteFileAtomic(path, ToJsonString(pretty));
}

}  // namespace mhub::tokenizers
