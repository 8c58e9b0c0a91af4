#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <utility>

#include "tokenizers/encoding_ops.h"
#include "tokenizers/json_numbers.h"
#include "tokenizers/processors/post_processor.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {

void TrimByteLevelOffsets(Encoding& e, bool add_prefix_space) {
  auto is_space = [](char32_t c) { return c == 0x120 || unicode::IsWhitespace(c); };
  for (size_t i = 0; i < e.size(); ++i) {
    const std::string& tok = e.tokens[i];
    auto& off = e.offsets[i];
    thread_local std::vector<char32_t> chars;
    chars.clear();
    for (size_t k = 0; k < tok.size();) chars.push_back(unicode::NextChar(tok, k));
    size_t leading = 0;
    while (leading < chars.size() && is_space(chars[leading])) ++leading;
    size_t trailing = 0;
    while (trailing < chars.size() && is_space(chars[chars.size() - 1 - trailing])) ++trailing;
    if (leading == 0 && trailing == 0) continue;
    if (leading > 0) {
      bool is_first = i == 0 || off.first == 0;
      if (is_first && add_prefix_space && leading == 1) leading = 0;
      off.first = std::min(off.first + leading, off.second);
    }
    if (trailing > 0 && off.second >= trailing) off.second = std::max(off.second - trailing, off.first);
  }
}

namespace {

Encoding SpecialEncoding(const std::vector<uint32_t>& ids, const std::vector<std::string>& tokens, uint32_t type_id) {
  Encoding e;
  e.ids = ids;
  e.tokens = tokens;
  e.type_ids.assign(ids.size(), type_id);
  e.word_ids.assign(ids.size(), std::nullopt);
  e.offsets.assign(ids.size(), {0, 0});
  e.special_tokens_mask.assign(ids.size(), 1);
  e.attention_mask.assign(ids.size(), 1);
  return e;
}

struct SpecialToken {
  std::string id;
  std::vector<uint32_t> ids;
  std::vector<std::string> tokens;
};

struct TemplatePiece {
  bool is_special;
  std::string id;  // special token name, or "A"/"B"
  uint32_t type_id;
};

class TemplateProcessing final : public PostProcessor {
 public:
  TemplateProcessing(std::vector<TemplatePiece> single, std::vector<TemplatePiece> pair,
                     std::map<std::string, SpecialToken> specials)
      : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(specials)) {
    size_t uses = 0;
    for (const TemplatePiece& p : single_) {
      if (!p.is_special) uses += p.id == "A" ? 1 : 2;  // naming B in the single template: general path
    }
    single_uses_a_once_ = uses == 1;
  }

  size_t AddedTokens(bool is_pair) const override {
    size_t n = 0;
    for (const auto& p : is_pair ? pair_ : single_) {
      if (p.is_special) n += specials_.at(p.id).ids.size();
    }
    return n;
  }

  Status ProcessEncodings(std::vector<Encoding>& encodings, bool add_special_tokens) const override {
    if (encodings.size() == 1 && encodings[0].overflowing.empty() && single_uses_a_once_) {
      ProcessSingleInPlace(encodings[0], add_special_tokens);
      return Status::OK();
    }
    const auto& tmpl = encodings.size() == 2 ? pair_ : single_;
    std::vector<Encoding> out;
    out.reserve(tmpl.size());
    // The last template entry naming a sequence takes that encoding itself; earlier ones copy it.
    size_t last_use[2] = {SIZE_MAX, SIZE_MAX};
    for (size_t k = 0; k < tmpl.size(); ++k) {
      if (!tmpl[k].is_special) last_use[tmpl[k].id == "A" ? 0 : 1] = k;
    }
    for (size_t k = 0; k < tmpl.size(); ++k) {
      const TemplatePiece& p = tmpl[k];
      if (p.is_special) {
        if (!add_special_tokens) continue;
        const SpecialToken& st = specials_.at(p.id);
        out.push_back(SpecialEncoding(st.ids, st.tokens, p.type_id));
      } else {
        size_t i = p.id == "A" ? 0 : 1;
        if (i >= encodings.size()) return Status::InvalidArgument("template names sequence B for a single input");
        Encoding e = k == last_use[i] ? std::move(encodings[i]) : encodings[i];
        e.type_ids.assign(e.size(), p.type_id);
        SetSequenceId(e, i);
        out.push_back(std::move(e));
      }
    }
    encodings = std::move(out);
    return Status::OK();
  }

  // The single template when it names A exactly once and nothing overflows: the special tokens
  // go around the encoding in place, with the result the general path (special encodings
  // merged with the sequence) gives.
  void ProcessSingleInPlace(Encoding& e, bool add_special_tokens) const {
    const size_t n = e.size();
    size_t a_index = 0;
    while (single_[a_index].is_special) ++a_index;
    e.type_ids.assign(n, single_[a_index].type_id);
    if (!add_special_tokens) {
      SetSequenceId(e, 0);
      return;
    }
    auto special_span = [&](size_t from, size_t to, Encoding& out) {
      for (size_t k = from; k < to; ++k) {
        const SpecialToken& st = specials_.at(single_[k].id);
        out.ids.insert(out.ids.end(), st.ids.begin(), st.ids.end());
        out.tokens.insert(out.tokens.end(), st.tokens.begin(), st.tokens.end());
        out.type_ids.insert(out.type_ids.end(), st.ids.size(), single_[k].type_id);
        out.word_ids.insert(out.word_ids.end(), st.ids.size(), std::nullopt);
        out.offsets.insert(out.offsets.end(), st.ids.size(), {0, 0});
        out.special_tokens_mask.insert(out.special_tokens_mask.end(), st.ids.size(), 1);
        out.attention_mask.insert(out.attention_mask.end(), st.ids.size(), 1);
      }
    };
    thread_local Encoding front;
    front.ids.clear();
    front.tokens.clear();
    front.type_ids.clear();
    front.word_ids.clear();
    front.offsets.clear();
    front.special_tokens_mask.clear();
    front.attention_mask.clear();
    special_span(0, a_index, front);
    const size_t k = front.ids.size();
    if (k > 0) {
      e.ids.insert(e.ids.begin(), front.ids.begin(), front.ids.end());
      e.tokens.insert(e.tokens.begin(), front.tokens.begin(), front.tokens.end());
      e.type_ids.insert(e.type_ids.begin(), front.type_ids.begin(), front.type_ids.end());
      e.word_ids.insert(e.word_ids.begin(), front.word_ids.begin(), front.word_ids.end());
      e.offsets.insert(e.offsets.begin(), front.offsets.begin(), front.offsets.end());
      e.special_tokens_mask.insert(e.special_tokens_mask.begin(), front.special_tokens_mask.begin(),
                                   front.special_tokens_mask.end());
      e.attention_mask.insert(e.attention_mask.begin(), front.attention_mask.begin(), front.attention_mask.end());
    }
    special_span(a_index + 1, single_.size(), e);
    e.sequence_ranges.clear();
    e.sequence_ranges[0] = {k, k + n};
  }

  Json ToJson() const override {
    auto pieces = [](const std::vector<TemplatePiece>& v) {
      Json arr = Json::array();
      for (const auto& p : v) {
        if (p.is_special) {
          arr.push_back(Json{{"SpecialToken", {{"id", p.id}, {"type_id", p.type_id}}}});
        } else {
          arr.push_back(Json{{"Sequence", {{"id", p.id}, {"type_id", p.type_id}}}});
        }
      }
      return arr;
    };
    Json specials = Json::object();
    for (const auto& [name, st] : specials_)
      specials[name] = Json{{"id", st.id}, {"ids", st.ids}, {"tokens", st.tokens}};
    return Json{{"type", "TemplateProcessing"},
                {"single", pieces(single_)},
                {"pair", pieces(pair_)},
                {"special_tokens", specials}};
  }

 private:
  std::vector<TemplatePiece> single_, pair_;
  bool single_uses_a_once_ = false;
  std::map<std::string, SpecialToken> specials_;
};

class BertProcessing final : public PostProcessor {
 public:
  BertProcessing(std::pair<std::string, uint32_t> sep, std::pair<std::string, uint32_t> cls, bool roberta,
                 bool trim_offsets, bool add_prefix_space)
      : sep_(std::move(sep)),
        cls_(std::move(cls)),
        roberta_(roberta),
        trim_offsets_(trim_offsets),
        add_prefix_space_(add_prefix_space) {}

  size_t AddedTokens(bool is_pair) const override { return is_pair ? (roberta_ ? 4 : 3) : 2; }

  Status ProcessEncodings(std::vector<Encoding>& encodings, bool add_special_tokens) const override {
    if (roberta_) {
      if (trim_offsets_) {
        for (Encoding& e : encodings) {
          TrimByteLevelOffsets(e, add_prefix_space_);
          for (Encoding& o : e.overflowing) TrimByteLevelOffsets(o, add_prefix_space_);
        }
      }
      for (Encoding& e : encodings) e.type_ids.assign(e.size(), 0);
    }
    if (!add_special_tokens) return Status::OK();
    for (size_t i = 0; i < encodings.size(); ++i) {
      Encoding& e = encodings[i];
      std::vector<Encoding> overflow = std::move(e.overflowing);
      e.overflowing.clear();
      Encoding wrapped = Wrap(std::move(e), i, /*set_ranges=*/true);
      for (Encoding& o : overflow) wrapped.overflowing.push_back(Wrap(std::move(o), i, /*set_ranges=*/true));
      e = std::move(wrapped);
    }
    return Status::OK();
  }

  Json ToJson() const override {
    Json j{{"type", roberta_ ? "RobertaProcessing" : "BertProcessing"},
           {"sep", Json::array({sep_.first, sep_.second})},
           {"cls", Json::array({cls_.first, cls_.second})}};
    if (roberta_) {
      j["trim_offsets"] = trim_offsets_;
      j["add_prefix_space"] = add_prefix_space_;
    }
    return j;
  }

 private:
  // Takes the token strings out of `e`. Works in place: EncodeSequence leaves spare capacity,
  // so the common case allocates nothing.
  Encoding Wrap(Encoding&& e, size_t index, bool set_ranges) const {
    const size_t n = e.size();
    const bool front = index == 0 || roberta_;
    const auto& front_tok = index == 0 ? cls_ : sep_;
    const uint32_t special_type = index == 0 || roberta_ ? 0 : 1;
    if (roberta_) e.type_ids.assign(n, 0);
    if (front) {
      e.ids.insert(e.ids.begin(), front_tok.second);
      e.tokens.insert(e.tokens.begin(), front_tok.first);
      e.type_ids.insert(e.type_ids.begin(), 0);
      e.word_ids.insert(e.word_ids.begin(), std::nullopt);
      e.offsets.insert(e.offsets.begin(), {0, 0});
    }
    e.ids.push_back(sep_.second);
    e.tokens.push_back(sep_.first);
    e.type_ids.push_back(special_type);
    e.word_ids.push_back(std::nullopt);
    e.offsets.emplace_back(0, 0);
    const size_t total = e.ids.size();
    e.special_tokens_mask.assign(total, 0);
    if (front) e.special_tokens_mask.front() = 1;
    e.special_tokens_mask.back() = 1;
    e.attention_mask.assign(total, 1);
    e.overflowing.clear();
    e.sequence_ranges.clear();
    if (set_ranges) e.sequence_ranges[index] = {front ? 1 : 0, total - 1};
    return std::move(e);
  }

  std::pair<std::string, uint32_t> sep_, cls_;
  bool roberta_, trim_offsets_, add_prefix_space_;
};

class ByteLevelProcessing final : public PostProcessor {
 public:
  ByteLevelProcessing(Json json, bool trim_offsets, bool add_prefix_space)
      : json_(std::move(json)), trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}
  size_t AddedTokens(bool) const override { return 0; }
  Status ProcessEncodings(std::vector<Encoding>& encodings, bool) const override {
    if (trim_offsets_) {
      for (Encoding& e : encodings) {
        TrimByteLevelOffsets(e, add_prefix_space_);
        for (Encoding& o : e.overflowing) TrimByteLevelOffsets(o, add_prefix_space_);
      }
    }
    for (size_t i = 0; i < encodings.size(); ++i) SetSequenceId(encodings[i], i);
    return Status::OK();
  }
  Json ToJson() const override { return json_; }

 private:
  Json json_;
  bool trim_offsets_, add_prefix_space_;
};

class SequenceProcessing final : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<std::unique_ptr<PostProcessor>> parts) : parts_(std::move(parts)) {}
  size_t AddedTokens(bool is_pair) const override {
    size_t n = 0;
    for (const auto& p : parts_) n += p->AddedTokens(is_pair);
    return n;
  }
  Status ProcessEncodings(std::vector<Encoding>& encodings, bool add_special_tokens) const override {
    for (const auto& p : parts_) MHUB_RETURN_IF_ERROR(p->ProcessEncodings(encodings, add_special_tokens));
    return Status::OK();
  }
  Json ToJson() const override {
    Json arr = Json::array();
    for (const auto& p : parts_) arr.push_back(p->ToJson());
    return Json{{"type", "Sequence"}, {"processors", arr}};
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> parts_;
};

Result<std::pair<std::string, uint32_t>> ParseTokenPair(const Json& j, std::string_view key, std::string_view path) {
  std::string p = std::string(path) + "." + std::string(key);
  if (!j.contains(key))
    return Status::InvalidArgument(std::string(path) + ": missing field `" + std::string(key) + "`");
  const Json& v = j[std::string(key)];
  if (!v.is_array() || v.size() != 2 || !v[0].is_string()) return Status::InvalidArgument(p + ": expected [token, id]");
  MHUB_ASSIGN_OR_RETURN(uint32_t id, JsonToU32(v[1], p + "[1]"));
  return std::make_pair(v[0].get<std::string>(), id);
}

// A type id written in the string form ("[SEP]:1", "$1"): decimal digits that fit a u32, as HF's
// Piece parsing asks (std::stoul would throw on "normalized1" and wrap on 2^32).
Result<uint32_t> ParseTypeId(const std::string& digits, const std::string& piece, const std::string& path) {
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || (v = v * 10 + static_cast<uint64_t>(c - '0')) > UINT32_MAX) {
      return Status::InvalidArgument(path + ": cannot read the type id of '" + piece + "'");
    }
  }
  if (digits.empty()) return Status::InvalidArgument(path + ": cannot read the type id of '" + piece + "'");
  return static_cast<uint32_t>(v);
}

Result<std::vector<TemplatePiece>> ParseTemplate(const Json& v, std::string_view path) {
  std::string p(path);
  std::vector<TemplatePiece> out;
  if (v.is_string()) {  // "[CLS] $A [SEP]" form
    std::string s = v.get<std::string>();
    size_t pos = 0;
    while (pos < s.size()) {
      size_t end = s.find(' ', pos);
      if (end == std::string::npos) end = s.size();
      std::string w = s.substr(pos, end - pos);
      pos = end + 1;
      if (w.empty()) continue;
      uint32_t type_id = 0;
      size_t colon = w.rfind(':');
      if (colon != std::string::npos) {
        MHUB_ASSIGN_OR_RETURN(type_id, ParseTypeId(w.substr(colon + 1), w, p));
        w = w.substr(0, colon);
      }
      if (w == "$" || w == "$A") {
        out.push_back({false, "A", type_id});
      } else if (w == "$B") {
        out.push_back({false, "B", type_id});
      } else if (w.size() > 1 && w[0] == '$' && std::isdigit(static_cast<unsigned char>(w[1]))) {
        MHUB_ASSIGN_OR_RETURN(uint32_t digit_type, ParseTypeId(w.substr(1), w, p));
        out.push_back({false, "A", digit_type});
      } else {
        out.push_back({true, w, type_id});
      }
    }
    return out;
  }
  if (!v.is_array()) return Status::InvalidArgument(p + ": expected array");
  for (size_t i = 0; i < v.size(); ++i) {
    std::string ep = p + "[" + std::to_string(i) + "]";
    const Json& e = v[i];
    bool special = e.contains("SpecialToken");
    if (!special && !e.contains("Sequence")) return Status::InvalidArgument(ep + ": expected SpecialToken or Sequence");
    const Json& body = special ? e["SpecialToken"] : e["Sequence"];
    MHUB_ASSIGN_OR_RETURN(std::string id, JsonString(body, "id", ep));
    MHUB_ASSIGN_OR_RETURN(uint32_t type_id, JsonU32(body, "type_id", ep));
    if (!special && id != "A" && id != "B") return Status::InvalidArgument(ep + ".id: expected \"A\" or \"B\"");
    out.push_back({special, id, type_id});
  }
  return out;
}

}  // namespace

Result<Encoding> PostProcess(const PostProcessor* processor, Encoding first, Encoding* second,
                             bool add_special_tokens) {
  if (processor == nullptr) {
    if (second == nullptr) return first;
    SetSequenceId(first, 0);
    SetSequenceId(*second, 1);
    MergeWith(first, std::move(*second), false);
    return first;
  }
  thread_local std::vector<Encoding> encodings;  // reused: PostProcess never runs inside itself
  encodings.clear();
  encodings.push_back(std::move(first));
  if (second) encodings.push_back(std::move(*second));
  for (size_t i = 0; i < encodings.size(); ++i) {
    SetSequenceId(encodings[i], i);
    for (Encoding& o : encodings[i].overflowing) SetSequenceId(o, i);
    encodings[i].type_ids.assign(encodings[i].size(), static_cast<uint32_t>(i));
  }
  Status st = processor->ProcessEncodings(encodings, add_special_tokens);
  if (!st.ok()) {
    encodings.clear();
    return st;
  }
  if (encodings.size() == 1) {  // what MergeAll gives for one encoding, without a copy
    Encoding out = std::move(encodings[0]);
    encodings.clear();
    return out;
  }
  return MergeAll(std::move(encodings), false);
}

Result<std::unique_ptr<PostProcessor>> PostProcessor::FromJson(const Json& j, std::string_view path) {
  std::string p(path);
  if (!j.is_object()) return Status::InvalidArgument(p + ": expected object, got " + JsonTypeName(j));
  std::string type;
  if (j.contains("type")) {
    MHUB_ASSIGN_OR_RETURN(type, JsonString(j, "type", path));
  } else if (j.contains("sep") && j.contains("cls")) {
    type = j.contains("trim_offsets") ? "RobertaProcessing" : "BertProcessing";
  } else if (j.contains("single")) {
    type = "TemplateProcessing";
  } else if (j.contains("processors")) {
    type = "Sequence";
  } else {
    return Status::InvalidArgument(p + ": missing field `type`");
  }
  using Ptr = std::unique_ptr<PostProcessor>;
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    MHUB_ASSIGN_OR_RETURN(auto sep, ParseTokenPair(j, "sep", path));
    MHUB_ASSIGN_OR_RETURN(auto cls, ParseTokenPair(j, "cls", path));
    bool roberta = type == "RobertaProcessing";
    MHUB_ASSIGN_OR_RETURN(bool trim, JsonBoolOr(j, "trim_offsets", path, true));
    MHUB_ASSIGN_OR_RETURN(bool aps, JsonBoolOr(j, "add_prefix_space", path, true));
    return Ptr(new BertProcessing(std::move(sep), std::move(cls), roberta, trim, aps));
  }
  if (type == "ByteLevel") {
    MHUB_ASSIGN_OR_RETURN(bool trim, JsonBoolOr(j, "trim_offsets", path, true));
    MHUB_ASSIGN_OR_RETURN(bool aps, JsonBoolOr(j, "add_prefix_space", path, true));
    MHUB_ASSIGN_OR_RETURN(bool use_regex, JsonBoolOr(j, "use_regex", path, true));
    Json out{{"type", "ByteLevel"}, {"add_prefix_space", aps}, {"trim_offsets", trim}, {"use_regex", use_regex}};
    return Ptr(new ByteLevelProcessing(std::move(out), trim, aps));
  }
  if (type == "TemplateProcessing") {
    if (!j.contains("single")) return Status::InvalidArgument(p + ": missing field `single`");
    MHUB_ASSIGN_OR_RETURN(auto single, ParseTemplate(j["single"], p + ".single"));
    std::vector<TemplatePiece> pair;
    if (j.contains("pair")) {
      MHUB_ASSIGN_OR_RETURN(pair, ParseTemplate(j["pair"], p + ".pair"));
    }
    std::map<std::string, SpecialToken> specials;
    if (j.contains("special_tokens")) {
      const Json& st = j["special_tokens"];
      if (!st.is_object()) return Status::InvalidArgument(p + ".special_tokens: expected object");
      for (auto it = st.begin(); it != st.end(); ++it) {
        std::string ep = p + ".special_tokens." + it.key();
        SpecialToken tok;
        MHUB_ASSIGN_OR_RETURN(tok.id, JsonString(it.value(), "id", ep));
        const Json& v = it.value();
        if (!v.contains("ids") || !v["ids"].is_array() || !v.contains("tokens") || !v["tokens"].is_array()) {
          return Status::InvalidArgument(ep + ": expected ids and tokens arrays");
        }
        for (const Json& id : v["ids"]) {
          MHUB_ASSIGN_OR_RETURN(uint32_t checked, JsonToU32(id, ep + ".ids[" + std::to_string(tok.ids.size()) + "]"));
          tok.ids.push_back(checked);
        }
        for (const Json& t : v["tokens"]) {
          if (!t.is_string()) return Status::InvalidArgument(ep + ".tokens: expected strings");
          tok.tokens.push_back(t.get<std::string>());
        }
        if (tok.ids.size() != tok.tokens.size()) {
          return Status::InvalidArgument(ep + ": ids and tokens differ in length");
        }
        specials[it.key()] = std::move(tok);
      }
    }
    for (const auto* tmpl : {&single, &pair}) {
      for (const auto& piece : *tmpl) {
        if (piece.is_special && !specials.count(piece.id)) {
          return Status::InvalidArgument(p + ": template uses special token '" + piece.id +
                                         "' missing from special_tokens");
        }
      }
    }
    return Ptr(new TemplateProcessing(std::move(single), std::move(pair), std::move(specials)));
  }
  if (type == "Sequence") {
    if (!j.contains("processors") || !j["processors"].is_array()) {
      return Status::InvalidArgument(p + ".processors: expected array");
    }
    std::vector<Ptr> parts;
    for (size_t i = 0; i < j["processors"].size(); ++i) {
      MHUB_ASSIGN_OR_RETURN(auto part, FromJson(j["processors"][i], p + ".processors[" + std::to_string(i) + "]"));
      parts.push_back(std::move(part));
    }
    return Ptr(new SequenceProcessing(std::move(parts)));
  }
  return Status::InvalidArgument(p + ".type: unknown post-processor '" + type + "'");
}

}  // namespace mhub::tokenizers
