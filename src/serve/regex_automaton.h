// Constrained decoding: a regular expression (TGI's `grammar` {"type": "regex"}) compiled to an
// automaton over bytes, walked token by token to mask the logits of tokens that would leave the
// language. Syntax: literals, `.`, `[...]` / `[^...]` with ranges, `\d \w \s \D \W \S` and escaped
// punctuation, groups `( )` and `(?: )`, `|`, `* + ?`, `{m}` `{m,}` `{m,n}`; the whole output must
// match (implicit anchors; `^`/`$` at the ends are accepted and ignored). Non-ASCII literals are
// matched byte by byte. The DFA is built lazily from the Thompson NFA (subset construction on
// demand), so a walk is a table lookup per byte. Not thread-safe (one per generation).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::serve {

class RegexAutomaton {
 public:
  // InvalidArgument naming the position for a malformed pattern or one over the size limits
  // (4096 bytes, 20000 NFA states).
  static Result<RegexAutomaton> Compile(std::string_view pattern);

  static constexpr int kDead = -1;
  int start() const { return 0; }
  // The state after `byte` from `state`; kDead when no match can continue.
  int Step(int state, uint8_t byte);
  // The state after all of `bytes`, or kDead.
  int Walk(int state, std::string_view bytes);
  bool Accepts(int state) const { return state >= 0 && dfa_[static_cast<size_t>(state)].accept; }
  // Whether any byte continues from `state`.
  bool CanContinue(int state);

 private:
  struct NfaState {
    std::array<uint64_t, 4> on{};  // bytes that lead to `next`
    int next = -1;
    std::vector<int> eps;
  };
  struct DfaState {
    std::vector<int> nfa;  // sorted NFA states (epsilon-closed)
    std::array<int, 256> next;
    bool accept = false;
  };
  std::vector<int> Closure(std::vector<int> states) const;
  int Intern(std::vector<int> states);

  std::shared_ptr<const std::vector<NfaState>> nfa_;
  int final_ = -1;
  std::vector<DfaState> dfa_;
  std::map<std::vector<int>, int> ids_;
};

}  // namespace mhub::serve
