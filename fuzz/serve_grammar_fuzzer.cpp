// The grammar compiler of constrained decoding (src/serve/regex_automaton.h) on arbitrary bytes:
// the first line is the pattern, the rest is text walked through the automaton. Properties: no
// crash or exception; a refusal is InvalidArgument; walking never revives a dead state; a state
// reached by a prefix of an accepted text is live.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "serve/regex_automaton.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  const std::string_view pattern = in.substr(0, nl), text = nl == std::string_view::npos ? "" : in.substr(nl + 1);
  auto a = mhub::serve::RegexAutomaton::Compile(pattern);
  if (!a.ok()) {
    if (a.status().code() != mhub::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  int state = a->start();
  std::vector<int> path = {state};
  for (char c : text.substr(0, 256)) {
    const int next = a->Step(state, static_cast<uint8_t>(c));
    if (state == mhub::serve::RegexAutomaton::kDead && next != mhub::serve::RegexAutomaton::kDead) std::abort();
    state = next;
    path.push_back(state);
  }
  if (a->Accepts(state))
    for (int s : path)
      if (s == mhub::serve::RegexAutomaton::kDead) std::abort();
  return 0;
}
