// Push-style JSON parser (see json_stream_parser.h): a byte state machine over a stack of open
// containers. Strings are copied span by span (not byte by byte), so streaming hundreds of MB of
// base64 through it costs about a memcpy.
#include "server/http/json_stream_parser.h"

#include "mhub/base/utf8.h"

#include <cstring>

namespace mhub::server {
namespace {

constexpr size_t kMaxDepth = 32;
constexpr size_t kValueOverhead = 16;  // what one Json node costs, counted against the cap

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsScalarChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' || c == '-' || c == '.';
}
int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ValidUtf8(std::string_view s) { return FirstInvalidUtf8(s) == std::string_view::npos; }

Status Bad(const std::string& why) { return Status::InvalidArgument("invalid JSON: " + why); }

}  // namespace

JsonStreamParser::JsonStreamParser(size_t max_buffered_bytes, StreamPredicate stream, StringSink* sink)
    : max_buffered_(max_buffered_bytes), stream_(std::move(stream)), sink_(sink) {}

void JsonStreamParser::Reset() {
  state_ = State::kValue;
  started_ = false;
  stack_.clear();
  result_ = Json();
  buffered_ = 0;
  string_is_key_ = string_streamed_ = false;
  text_.clear();
  unicode_hex_.clear();
  high_surrogate_ = 0;
}

Status JsonStreamParser::Count(size_t n) {
  buffered_ += n;
  if (buffered_ > max_buffered_) {
    return Status::ResourceExhausted("more than " + std::to_string(max_buffered_) +
                                     " bytes of JSON outside the streamed file contents");
  }
  return Status::OK();
}

std::vector<std::string> JsonStreamParser::KeyPath() const {
  std::vector<std::string> keys;
  keys.reserve(stack_.size());
  for (const Frame& f : stack_) keys.push_back(f.is_object ? f.key : std::string());
  return keys;
}

Status JsonStreamParser::PutValue(Json v) {
  MHUB_RETURN_IF_ERROR(Count(kValueOverhead));
  if (stack_.empty()) {
    result_ = std::move(v);
    state_ = State::kDone;
    return Status::OK();
  }
  Frame& top = stack_.back();
  if (top.is_object) {
    top.value[top.key] = std::move(v);  // a repeated key keeps the last value, as nlohmann does
  } else {
    top.value.push_back(std::move(v));
  }
  state_ = State::kAfterValue;
  return Status::OK();
}

Status JsonStreamParser::StartString(bool is_key) {
  string_is_key_ = is_key;
  text_.clear();
  high_surrogate_ = 0;
  string_streamed_ = !is_key && sink_ != nullptr && stream_ && stream_(KeyPath());
  state_ = State::kString;
  if (string_streamed_) return sink_->Begin();
  return Status::OK();
}

Status JsonStreamParser::StringBytes(std::string_view bytes) {
  if (string_streamed_) return sink_->Append(bytes);
  MHUB_RETURN_IF_ERROR(Count(bytes.size()));
  text_.append(bytes);
  return Status::OK();
}

Status JsonStreamParser::AppendCodePoint(uint32_t cp) {
  char buf[4];
  size_t n = 0;
  if (cp < 0x80) {
    buf[n++] = static_cast<char>(cp);
  } else if (cp < 0x800) {
    buf[n++] = static_cast<char>(0xC0 | (cp >> 6));
    buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    buf[n++] = static_cast<char>(0xE0 | (cp >> 12));
    buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    buf[n++] = static_cast<char>(0xF0 | (cp >> 18));
    buf[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return StringBytes(std::string_view(buf, n));
}

Status JsonStreamParser::EndString() {
  if (high_surrogate_ != 0) return Bad("unpaired UTF-16 surrogate in a string");
  if (string_streamed_) {
    MHUB_RETURN_IF_ERROR(sink_->End());
    return PutValue(Json(""));
  }
  if (!ValidUtf8(text_)) return Bad("a string is not valid UTF-8");
  if (string_is_key_) {
    stack_.back().key = std::move(text_);
    text_.clear();
    state_ = State::kColon;
    return Status::OK();
  }
  Json v(std::move(text_));
  text_.clear();
  return PutValue(std::move(v));
}

Status JsonStreamParser::EndScalar() {
  // Numbers and literals are short tokens: let the JSON library judge their grammar.
  auto parsed = ParseJson(text_, "JSON value");
  text_.clear();
  if (!parsed.ok() || parsed->is_structured() || parsed->is_string()) return Bad("bad number or literal");
  return PutValue(std::move(parsed).value());
}

Status JsonStreamParser::Step(const char*& p, const char* end) {
  const char c = *p;
  switch (state_) {
    case State::kDone:
      if (!IsWs(c)) return Bad("data after the value");
      ++p;
      return Status::OK();
    case State::kValue:
    case State::kKeyOrEnd:
    case State::kKey:
    case State::kColon:
    case State::kAfterValue:
      break;
    case State::kString: {
      if (high_surrogate_ != 0 && c != '\\') return Bad("unpaired UTF-16 surrogate in a string");
      const char* q = p;
      while (q < end && *q != '"' && *q != '\\' && static_cast<unsigned char>(*q) >= 0x20) ++q;
      if (q > p) {
        MHUB_RETURN_IF_ERROR(StringBytes(std::string_view(p, static_cast<size_t>(q - p))));
        p = q;
        return Status::OK();
      }
      ++p;
      if (c == '"') return EndString();
      if (c == '\\') {
        state_ = State::kEscape;
        return Status::OK();
      }
      return Bad("control character in a string");
    }
    case State::kEscape: {
      ++p;
      if (high_surrogate_ != 0 && c != 'u') return Bad("unpaired UTF-16 surrogate in a string");
      state_ = State::kString;
      switch (c) {
        case '"':
        case '\\':
        case '/':
          return StringBytes(std::string_view(&c, 1));
        case 'b':
          return StringBytes("\b");
        case 'f':
          return StringBytes("\f");
        case 'n':
          return StringBytes("\n");
        case 'r':
          return StringBytes("\r");
        case 't':
          return StringBytes("\t");
        case 'u':
          unicode_hex_.clear();
          state_ = State::kUnicode;
          return Status::OK();
        default:
          return Bad("unknown escape in a string");
      }
    }
    case State::kUnicode: {
      ++p;
      if (Hex(c) < 0) return Bad("bad \\u escape");
      unicode_hex_ += c;
      if (unicode_hex_.size() < 4) return Status::OK();
      uint32_t unit = 0;
      for (char h : unicode_hex_) unit = (unit << 4) | static_cast<uint32_t>(Hex(h));
      state_ = State::kString;
      if (high_surrogate_ != 0) {
        if (unit < 0xDC00 || unit > 0xDFFF) return Bad("unpaired UTF-16 surrogate in a string");
        const uint32_t cp = 0x10000 + ((high_surrogate_ - 0xD800) << 10) + (unit - 0xDC00);
        high_surrogate_ = 0;
        return AppendCodePoint(cp);
      }
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        high_surrogate_ = unit;
        return Status::OK();
      }
      if (unit >= 0xDC00 && unit <= 0xDFFF) return Bad("unpaired UTF-16 surrogate in a string");
      return AppendCodePoint(unit);
    }
    case State::kScalar:
      if (IsScalarChar(c)) {
        MHUB_RETURN_IF_ERROR(Count(1));
        text_ += c;
        ++p;
        return Status::OK();
      }
      return EndScalar();  // `c` is looked at again in the next state
  }
  // Structural states: whitespace is skipped everywhere.
  if (IsWs(c)) {
    ++p;
    return Status::OK();
  }
  ++p;
  started_ = true;
  switch (state_) {
    case State::kColon:
      if (c != ':') return Bad("expected ':'");
      state_ = State::kValue;
      return Status::OK();
    case State::kKey:
    case State::kKeyOrEnd:
      if (c == '"') return StartString(true);
      if (c == '}' && state_ == State::kKeyOrEnd) break;  // closes the object below
      return Bad("expected a key");
    case State::kAfterValue: {
      Frame& top = stack_.back();
      if (c == ',') {
        state_ = top.is_object ? State::kKey : State::kValue;
        return Status::OK();
      }
      if (c == (top.is_object ? '}' : ']')) break;  // closes below
      return Bad(top.is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    case State::kValue:
      if (c == ']' && !stack_.empty() && !stack_.back().is_object && stack_.back().value.empty()) break;
      if (c == '{' || c == '[') {
        if (stack_.size() >= kMaxDepth) return Bad("nested deeper than 32 levels");
        MHUB_RETURN_IF_ERROR(Count(kValueOverhead));
        Frame f;
        f.is_object = c == '{';
        f.value = f.is_object ? Json::object() : Json::array();
        stack_.push_back(std::move(f));
        state_ = c == '{' ? State::kKeyOrEnd : State::kValue;
        return Status::OK();
      }
      if (c == '"') return StartString(false);
      if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n') {
        text_.assign(1, c);
        state_ = State::kScalar;
        return Count(1);
      }
      return Bad("expected a value");
    default:
      return Bad("internal parser state");
  }
  // Closing the innermost container.
  Json done = std::move(stack_.back().value);
  stack_.pop_back();
  return PutValue(std::move(done));
}

Status JsonStreamParser::Feed(std::string_view data) {
  const char* p = data.data();
  const char* end = p + data.size();
  while (p < end) MHUB_RETURN_IF_ERROR(Step(p, end));
  return Status::OK();
}

Result<Json> JsonStreamParser::Finish() {
  if (state_ == State::kScalar && stack_.empty()) MHUB_RETURN_IF_ERROR(EndScalar());
  if (!started_) return Bad("no value");
  if (state_ != State::kDone) return Bad("the value is incomplete");
  return std::move(result_);
}

}  // namespace mhub::server
