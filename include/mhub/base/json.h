// JSON helpers over nlohmann::json that report errors as Status instead of exceptions, and name
// the JSON path of what was wrong ("model.vocab.hello: expected integer, got string").
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub {

using Json = nlohmann::json;
// Keeps object keys in insertion order (for files we write back, like tokenizer.json).
using OrderedJson = nlohmann::ordered_json;

// Parses text; InvalidArgument with line/column context on malformed input. `what` names the source.
Result<Json> ParseJson(std::string_view text, std::string_view what = "JSON");
Result<OrderedJson> ParseOrderedJson(std::string_view text, std::string_view what = "JSON");
Result<Json> ReadJsonFile(const std::string& path);

// Typed field access: NotFound-free when optional; InvalidArgument naming `path` when the type is wrong.
// `path` is the dotted location of `obj` used in messages, e.g. "model" or "added_tokens[3]".
Result<std::string> JsonString(const Json& obj, std::string_view key, std::string_view path);
Result<int64_t> JsonInt(const Json& obj, std::string_view key, std::string_view path);
Result<double> JsonNumber(const Json& obj, std::string_view key, std::string_view path);
Result<bool> JsonBool(const Json& obj, std::string_view key, std::string_view path);
// Same, but returns `fallback` when the key is missing or null.
Result<std::string> JsonStringOr(const Json& obj, std::string_view key, std::string_view path, std::string fallback);
Result<int64_t> JsonIntOr(const Json& obj, std::string_view key, std::string_view path, int64_t fallback);
Result<double> JsonNumberOr(const Json& obj, std::string_view key, std::string_view path, double fallback);
Result<bool> JsonBoolOr(const Json& obj, std::string_view key, std::string_view path, bool fallback);

// "string", "integer", "number", "object", ... for messages.
std::string JsonTypeName(const Json& value);

// Serialises without throwing on invalid UTF-8 (replaces bad bytes with U+FFFD).
std::string DumpJson(const Json& value, int indent = -1);
std::string DumpJson(const OrderedJson& value, int indent = -1);

}  // namespace mhub
