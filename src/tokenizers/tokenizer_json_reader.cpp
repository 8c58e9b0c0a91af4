#include "tokenizers/tokenizer_json_reader.h"

#include <simdjson.h>

namespace mhub::tokenizers {
namespace {

namespace dom = simdjson::dom;

Json ToNlohmann(dom::element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY: {
      Json arr = Json::array();
      for (dom::element v : dom::array(e)) arr.push_back(ToNlohmann(v));
      return arr;
    }
    case dom::element_type::OBJECT: {
      Json obj = Json::object();
      for (dom::key_value_pair kv : dom::object(e)) obj[std::string(kv.key)] = ToNlohmann(kv.value);
      return obj;
    }
    case dom::element_type::INT64:
      return Json(int64_t(e));
    case dom::element_type::UINT64:
      return Json(uint64_t(e));
    case dom::element_type::DOUBLE:
      return Json(double(e));
    case dom::element_type::STRING:
      return Json(std::string(std::string_view(e)));
    case dom::element_type::BOOL:
      return Json(bool(e));
    case dom::element_type::NULL_VALUE:
      return Json(nullptr);
  }
  return Json(nullptr);
}

Status ReadVocab(dom::element v, ModelTables& t) {
  if (v.type() == dom::element_type::OBJECT) {
    dom::object obj = v;
    t.vocab.reserve(obj.size());
    for (dom::key_value_pair kv : obj) {
      int64_t id;
      if (kv.value.get_int64().get(id) != simdjson::SUCCESS) {
        return Status::InvalidArgument("model.vocab." + std::string(kv.key) + ": expected integer, got " +
                                       JsonTypeName(ToNlohmann(kv.value)));
      }
      if (id < 0 || id > 0x7FFFFFFF)
        return Status::InvalidArgument("model.vocab." + std::string(kv.key) + ": id out of range");
      t.vocab.emplace_back(std::string(kv.key), static_cast<uint32_t>(id));
    }
    return Status::OK();
  }
  if (v.type() == dom::element_type::ARRAY) {
    size_t i = 0;
    for (dom::element e : dom::array(v)) {
      dom::array pair;
      std::string_view piece;
      double score;
      if (e.get_array().get(pair) != simdjson::SUCCESS || pair.size() != 2 ||
          pair.at(0).get_string().get(piece) != simdjson::SUCCESS ||
          pair.at(1).get_double().get(score) != simdjson::SUCCESS) {
        int64_t iscore;
        if (pair.size() == 2 && pair.at(0).get_string().get(piece) == simdjson::SUCCESS &&
            pair.at(1).get_int64().get(iscore) == simdjson::SUCCESS) {
          score = static_cast<double>(iscore);
        } else {
          return Status::InvalidArgument("model.vocab[" + std::to_string(i) + "]: expected [piece, score]");
        }
      }
      t.scored.emplace_back(std::string(piece), score);
      ++i;
    }
    return Status::OK();
  }
  return Status::InvalidArgument("model.vocab: expected object or array, got " + JsonTypeName(ToNlohmann(v)));
}

Status ReadMerges(dom::element v, ModelTables& t) {
  if (v.type() == dom::element_type::NULL_VALUE) return Status::OK();
  dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS) {
    return Status::InvalidArgument("model.merges: expected array, got " + JsonTypeName(ToNlohmann(v)));
  }
  t.merges.reserve(arr.size());
  size_t i = 0;
  for (dom::element e : arr) {
    const size_t index = i++;
    auto ep = [index]() { return "model.merges[" + std::to_string(index) + "]"; };
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS) {
      if (s.rfind("#version", 0) == 0) continue;
      size_t sp = s.find(' ');
      if (sp == std::string_view::npos || s.find(' ', sp + 1) != std::string_view::npos) {
        return Status::InvalidArgument(ep() + ": merge '" + std::string(s) +
                                       "' is not two tokens separated by one space");
      }
      t.merges.emplace_back(std::string(s.substr(0, sp)), std::string(s.substr(sp + 1)));
      continue;
    }
    dom::array pair;
    std::string_view a, b;
    if (e.get_array().get(pair) == simdjson::SUCCESS && pair.size() == 2 &&
        pair.at(0).get_string().get(a) == simdjson::SUCCESS && pair.at(1).get_string().get(b) == simdjson::SUCCESS) {
      t.merges_as_pairs = true;
      t.merges.emplace_back(std::string(a), std::string(b));
      continue;
    }
    return Status::InvalidArgument(ep() + ": expected \"a b\" or [\"a\", \"b\"]");
  }
  return Status::OK();
}

}  // namespace

Result<TokenizerJsonParts> ReadTokenizerJson(std::string_view text) {
  simdjson::padded_string padded(text.data(), text.size());
  dom::parser parser;
  dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
    // Let nlohmann produce the line/column message.
    MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(text, "tokenizer.json"));
    (void)j;
    return Status::InvalidArgument("tokenizer.json: malformed JSON");
  }
  TokenizerJsonParts parts;
  if (doc.type() != dom::element_type::OBJECT) return Status::InvalidArgument("tokenizer.json: expected an object");
  parts.rest = Json::object();
  for (dom::key_value_pair kv : dom::object(doc)) {
    if (kv.key != "model" || kv.value.type() != dom::element_type::OBJECT) {
      parts.rest[std::string(kv.key)] = ToNlohmann(kv.value);
      continue;
    }
    Json model = Json::object();
    for (dom::key_value_pair m : dom::object(kv.value)) {
      if (m.key == "vocab") {
        MHUB_RETURN_IF_ERROR(ReadVocab(m.value, parts.tables));
      } else if (m.key == "merges") {
        MHUB_RETURN_IF_ERROR(ReadMerges(m.value, parts.tables));
        model["merges"] = nullptr;  // presence matters for legacy type detection
      } else {
        model[std::string(m.key)] = ToNlohmann(m.value);
      }
    }
    parts.rest["model"] = std::move(model);
  }
  return parts;
}

}  // namespace mhub::tokenizers
