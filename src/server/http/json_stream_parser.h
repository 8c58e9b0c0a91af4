// Incremental (push) parser of one JSON value, fed in chunks of any size, for request bodies too
// large to hold: the string values the caller picks by their key path (e.g. value.content of a
// commit line) are handed out in pieces as they arrive and never held; everything else is built
// into a Json, capped at `max_buffered_bytes`. Untrusted input: errors are InvalidArgument (bad
// JSON, nesting deeper than 32) or ResourceExhausted (over the cap); never throws.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::server {

class JsonStreamParser {
 public:
  // Receives a streamed string: Begin, then its unescaped bytes in order, then End. An error
  // stops the parse with that error.
  struct StringSink {
    virtual ~StringSink() = default;
    virtual Status Begin() = 0;
    virtual Status Append(std::string_view bytes) = 0;
    virtual Status End() = 0;
  };
  // Decides whether the string value at `keys` (object keys from the root; array levels add "")
  // is streamed to the sink. Called when such a string starts.
  using StreamPredicate = std::function<bool(const std::vector<std::string>& keys)>;

  JsonStreamParser(size_t max_buffered_bytes, StreamPredicate stream, StringSink* sink);

  // Feeds the next bytes of the value (surrounding whitespace is fine).
  Status Feed(std::string_view data);
  // True when only whitespace has been fed so far.
  bool Empty() const { return !started_; }
  // Ends the input: the complete value (a streamed string appears as ""), or InvalidArgument when
  // the value is incomplete or there is none.
  Result<Json> Finish();
  // Back to the initial state for the next value.
  void Reset();

 private:
  enum class State { kValue, kKeyOrEnd, kKey, kColon, kAfterValue, kString, kEscape, kUnicode, kScalar, kDone };
  struct Frame {
    Json value;
    bool is_object = false;
    std::string key;  // the key whose value is being parsed (objects)
  };

  Status Step(const char*& p, const char* end);
  Status StartString(bool is_key);
  Status StringBytes(std::string_view bytes);
  Status EndString();
  Status EndScalar();
  Status PutValue(Json v);
  Status Count(size_t n);
  Status AppendCodePoint(uint32_t cp);
  std::vector<std::string> KeyPath() const;

  size_t max_buffered_;
  StreamPredicate stream_;
  StringSink* sink_;

  State state_ = State::kValue;
  bool started_ = false;
  std::vector<Frame> stack_;
  Json result_;
  size_t buffered_ = 0;
  // Current string.
  bool string_is_key_ = false;
  bool string_streamed_ = false;
  std::string text_;  // current string (unstreamed), key or scalar token
  std::string unicode_hex_;
  uint32_t high_surrogate_ = 0;
};

}  // namespace mhub::server
