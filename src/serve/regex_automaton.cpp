#include "serve/regex_automaton.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace mhub::serve {
namespace {

constexpr size_t kMaxPattern = 4096;
constexpr size_t kMaxNfaStates = 20000;
constexpr size_t kMaxDfaStates = 20000;  // ~20 MB of transition tables; past it, no new state (dead)
constexpr int kMaxRepeat = 1000;
constexpr int kMaxDepth = 200;
constexpr int kInf = -1;

using ByteSet = std::array<uint64_t, 4>;
void Add(ByteSet& s, int b) { s[static_cast<size_t>(b >> 6)] |= uint64_t{1} << (b & 63); }
bool Has(const ByteSet& s, int b) { return (s[static_cast<size_t>(b >> 6)] >> (b & 63)) & 1; }
void AddRange(ByteSet& s, int lo, int hi) {
  for (int b = lo; b <= hi; ++b) Add(s, b);
}
ByteSet Invert(const ByteSet& s) { return {~s[0], ~s[1], ~s[2], ~s[3]}; }

struct Node {
  enum Kind { kSet, kConcat, kAlt, kRepeat };
  explicit Node(Kind k) : kind(k) {}
  Kind kind;
  ByteSet set{};
  std::vector<Node> kids;
  int min = 0, max = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  Result<Node> Parse() {
    if (!p_.empty() && p_.front() == '^') ++i_;
    MHUB_ASSIGN_OR_RETURN(Node n, Alt(0));
    if (i_ < p_.size()) return Error("unexpected ')'");
    return n;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("grammar regex: " + what + " at offset " + std::to_string(i_));
  }
  bool AtEnd() const { return i_ >= p_.size(); }
  // A '$' that ends the pattern (or the top-level branch) is an anchor, ignored.
  bool EndAnchor() const { return p_[i_] == '$' && (i_ + 1 == p_.size() || p_[i_ + 1] == '|' || p_[i_ + 1] == ')'); }

  Result<Node> Alt(int depth) {
    if (depth > kMaxDepth) return Error("nesting too deep");
    Node alt(Node::kAlt);
    while (true) {
      MHUB_ASSIGN_OR_RETURN(Node c, Concat(depth));
      alt.kids.push_back(std::move(c));
      if (AtEnd() || p_[i_] != '|') break;
      ++i_;
    }
    if (alt.kids.size() == 1) return std::move(alt.kids[0]);
    return alt;
  }

  Result<Node> Concat(int depth) {
    Node cat(Node::kConcat);
    while (!AtEnd() && p_[i_] != '|' && p_[i_] != ')') {
      if (EndAnchor()) {
        ++i_;
        continue;
      }
      MHUB_ASSIGN_OR_RETURN(Node a, Atom(depth));
      MHUB_RETURN_IF_ERROR(Quantifiers(a));
      cat.kids.push_back(std::move(a));
    }
    return cat;
  }

  Status Quantifiers(Node& a) {
    while (!AtEnd()) {
      int min = 0, max = 0;
      const char c = p_[i_];
      if (c == '*') {
        min = 0, max = kInf;
      } else if (c == '+') {
        min = 1, max = kInf;
      } else if (c == '?') {
        min = 0, max = 1;
      } else if (c == '{') {
        size_t j = i_ + 1;
        auto number = [&](int& out) {
          const size_t from = j;
          long v = 0;
          while (j < p_.size() && std::isdigit(static_cast<unsigned char>(p_[j])) && v <= kMaxRepeat)
            v = v * 10 + (p_[j++] - '0');
          out = static_cast<int>(v);
          return j > from;
        };
        if (!number(min)) return Error("expected a number after '{'");
        max = min;
        if (j < p_.size() && p_[j] == ',') {
          ++j;
          if (!number(max)) max = kInf;
        }
        if (j >= p_.size() || p_[j] != '}') return Error("unterminated '{'");
        if (min > kMaxRepeat || max > kMaxRepeat) return Error("repeat count over " + std::to_string(kMaxRepeat));
        if (max != kInf && max < min) return Error("repeat range {m,n} with n < m");
        i_ = j;
      } else {
        return Status::OK();
      }
      ++i_;
      if (!AtEnd() && p_[i_] == '?') ++i_;  // lazy: the same language
      Node r(Node::kRepeat);
      r.min = min;
      r.max = max;
      r.kids.push_back(std::move(a));
      a = std::move(r);
    }
    return Status::OK();
  }

  // \d \w \s and their negations, or an escaped byte.
  Result<ByteSet> Escape() {
    if (AtEnd()) return Error("trailing '\\'");
    const char c = p_[i_++];
    ByteSet s{};
    switch (c) {
      case 'd':
      case 'D':
        AddRange(s, '0', '9');
        break;
      case 'w':
      case 'W':
        AddRange(s, 'a', 'z');
        AddRange(s, 'A', 'Z');
        AddRange(s, '0', '9');
        Add(s, '_');
        break;
      case 's':
      case 'S':
        for (int b : {' ', '\t', '\n', '\r', '\f', '\v'}) Add(s, b);
        break;
      case 'n':
        Add(s, '\n');
        return s;
      case 't':
        Add(s, '\t');
        return s;
      case 'r':
        Add(s, '\r');
        return s;
      case 'x': {  // \xHH: one byte
        auto hex = [](char h) {
          return std::isxdigit(static_cast<unsigned char>(h)) ? std::stoi(std::string(1, h), nullptr, 16) : -1;
        };
        if (i_ + 2 > p_.size() || hex(p_[i_]) < 0 || hex(p_[i_ + 1]) < 0) return Error("\\x needs two hex digits");
        Add(s, hex(p_[i_]) * 16 + hex(p_[i_ + 1]));
        i_ += 2;
        return s;
      }
      default:
        if (std::isalnum(static_cast<unsigned char>(c))) return Error(std::string("unsupported escape \\") + c);
        Add(s, static_cast<unsigned char>(c));
        return s;
    }
    return std::isupper(static_cast<unsigned char>(c)) ? Invert(s) : s;
  }

  Result<ByteSet> Class() {
    ByteSet s{};
    bool negate = false;
    if (!AtEnd() && p_[i_] == '^') {
      negate = true;
      ++i_;
    }
    bool first = true;
    while (true) {
      if (AtEnd()) return Error("unterminated '['");
      char c = p_[i_];
      if (c == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      ++i_;
      int lo = static_cast<unsigned char>(c);
      if (c == '\\') {
        MHUB_ASSIGN_OR_RETURN(ByteSet e, Escape());
        int count = 0, only = -1;
        for (int b = 0; b < 256; ++b)
          if (Has(e, b)) ++count, only = b;
        if (count != 1) {  // a class escape inside [...]
          for (size_t w = 0; w < 4; ++w) s[w] |= e[w];
          continue;
        }
        lo = only;
      } else if (lo >= 0x80) {
        return Error("non-ASCII characters inside [...] are not supported");
      }
      int hi = lo;
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        char h = p_[i_++];
        hi = static_cast<unsigned char>(h);
        if (h == '\\') {
          MHUB_ASSIGN_OR_RETURN(ByteSet e, Escape());
          hi = -1;
          for (int b = 0; b < 256; ++b)
            if (Has(e, b)) hi = hi == -1 ? b : -2;
          if (hi < 0) return Error("a class escape cannot end a range");
        }
        if (hi >= 0x80) return Error("non-ASCII characters inside [...] are not supported");
        if (hi < lo) return Error("class range out of order");
      }
      AddRange(s, lo, hi);
    }
    return negate ? Invert(s) : s;
  }

  Result<Node> Atom(int depth) {
    const char c = p_[i_++];
    Node n(Node::kSet);
    switch (c) {
      case '(': {
        if (p_.substr(i_, 2) == "?:") i_ += 2;
        MHUB_ASSIGN_OR_RETURN(Node inner, Alt(depth + 1));
        if (AtEnd() || p_[i_] != ')') return Error("unterminated '('");
        ++i_;
        return inner;
      }
      case '[': {
        MHUB_ASSIGN_OR_RETURN(n.set, Class());
        return n;
      }
      case '.':
        n.set = Invert(ByteSet{});
        n.set[0] &= ~(uint64_t{1} << '\n');
        return n;
      case '\\': {
        MHUB_ASSIGN_OR_RETURN(n.set, Escape());
        return n;
      }
      case '*':
      case '+':
      case '?':
      case '{':
        --i_;
        return Error(std::string("nothing to repeat before '") + c + "'");
      default:
        Add(n.set, static_cast<unsigned char>(c));
        return n;
    }
  }

  std::string_view p_;
  size_t i_ = 0;
};

struct Fragment {
  int start, end;
};

class Builder {
 public:
  struct State {
    ByteSet on{};
    int next = -1;
    std::vector<int> eps;
  };
  std::vector<State> states;

  Result<Fragment> Build(const Node& n) {
    switch (n.kind) {
      case Node::kSet: {
        MHUB_ASSIGN_OR_RETURN(int s, New());
        MHUB_ASSIGN_OR_RETURN(int e, New());
        states[static_cast<size_t>(s)].on = n.set;
        states[static_cast<size_t>(s)].next = e;
        return Fragment{s, e};
      }
      case Node::kConcat: {
        MHUB_ASSIGN_OR_RETURN(int s, New());
        Fragment f{s, s};
        for (const Node& k : n.kids) {
          MHUB_ASSIGN_OR_RETURN(Fragment g, Build(k));
          Link(f.end, g.start);
          f.end = g.end;
        }
        return f;
      }
      case Node::kAlt: {
        MHUB_ASSIGN_OR_RETURN(int s, New());
        MHUB_ASSIGN_OR_RETURN(int e, New());
        for (const Node& k : n.kids) {
          MHUB_ASSIGN_OR_RETURN(Fragment g, Build(k));
          Link(s, g.start);
          Link(g.end, e);
        }
        return Fragment{s, e};
      }
      case Node::kRepeat: {
        MHUB_ASSIGN_OR_RETURN(int s, New());
        Fragment f{s, s};
        for (int i = 0; i < n.min; ++i) {
          MHUB_ASSIGN_OR_RETURN(Fragment g, Build(n.kids[0]));
          Link(f.end, g.start);
          f.end = g.end;
        }
        if (n.max == kInf) {  // then (kid)*
          MHUB_ASSIGN_OR_RETURN(Fragment g, Build(n.kids[0]));
          MHUB_ASSIGN_OR_RETURN(int e, New());
          Link(f.end, g.start);
          Link(f.end, e);
          Link(g.end, g.start);
          Link(g.end, e);
          f.end = e;
        } else {  // then max - min optional copies, each able to skip to the end
          MHUB_ASSIGN_OR_RETURN(int e, New());
          for (int i = n.min; i < n.max; ++i) {
            MHUB_ASSIGN_OR_RETURN(Fragment g, Build(n.kids[0]));
            Link(f.end, e);
            Link(f.end, g.start);
            f.end = g.end;
          }
          Link(f.end, e);
          f.end = e;
        }
        return f;
      }
    }
    return Status::InvalidArgument("grammar regex: bad node");
  }

 private:
  Result<int> New() {
    if (states.size() >= kMaxNfaStates)
      return Status::InvalidArgument("grammar regex: the pattern is too large (over " + std::to_string(kMaxNfaStates) +
                                     " automaton states)");
    states.emplace_back();
    return static_cast<int>(states.size() - 1);
  }
  void Link(int from, int to) { states[static_cast<size_t>(from)].eps.push_back(to); }
};

}  // namespace

Result<RegexAutomaton> RegexAutomaton::Compile(std::string_view pattern) {
  if (pattern.size() > kMaxPattern)
    return Status::InvalidArgument("grammar regex: longer than " + std::to_string(kMaxPattern) + " bytes");
  Parser parser(pattern);
  MHUB_ASSIGN_OR_RETURN(Node root, parser.Parse());
  Builder b;
  MHUB_ASSIGN_OR_RETURN(Fragment f, b.Build(root));
  auto nfa = std::make_shared<std::vector<NfaState>>();
  nfa->reserve(b.states.size());
  for (Builder::State& s : b.states) nfa->push_back(NfaState{s.on, s.next, std::move(s.eps)});
  RegexAutomaton a;
  a.final_ = f.end;
  // The start state must be DFA state 0.
  std::vector<int> start = {f.start};
  a.nfa_ = std::move(nfa);
  a.Intern(a.Closure(std::move(start)));
  return a;
}

std::vector<int> RegexAutomaton::Closure(std::vector<int> stack) const {
  std::vector<char> seen(nfa_->size(), 0);
  std::vector<int> out;
  while (!stack.empty()) {
    const int s = stack.back();
    stack.pop_back();
    if (seen[static_cast<size_t>(s)]) continue;
    seen[static_cast<size_t>(s)] = 1;
    out.push_back(s);
    for (int e : (*nfa_)[static_cast<size_t>(s)].eps) stack.push_back(e);
  }
  std::sort(out.begin(), out.end());
  return out;
}

int RegexAutomaton::Intern(std::vector<int> states) {
  if (states.empty()) return kDead;
  auto it = ids_.find(states);
  if (it != ids_.end()) return it->second;
  if (dfa_.size() >= kMaxDfaStates) return kDead;
  DfaState d;
  d.next.fill(-2);  // not computed yet
  d.accept = std::binary_search(states.begin(), states.end(), final_);
  d.nfa = states;
  dfa_.push_back(std::move(d));
  const int id = static_cast<int>(dfa_.size() - 1);
  ids_.emplace(std::move(states), id);
  return id;
}

int RegexAutomaton::Step(int state, uint8_t byte) {
  if (state < 0) return kDead;
  int cached = dfa_[static_cast<size_t>(state)].next[byte];
  if (cached != -2) return cached;
  std::vector<int> moved;
  for (int s : dfa_[static_cast<size_t>(state)].nfa) {
    const NfaState& n = (*nfa_)[static_cast<size_t>(s)];
    if (n.next >= 0 && Has(n.on, byte)) moved.push_back(n.next);
  }
  const int next = Intern(Closure(std::move(moved)));
  dfa_[static_cast<size_t>(state)].next[byte] = next;
  return next;
}

int RegexAutomaton::Walk(int state, std::string_view bytes) {
  for (char c : bytes) {
    state = Step(state, static_cast<uint8_t>(c));
    if (state < 0) return kDead;
  }
  return state;
}

bool RegexAutomaton::CanContinue(int state) {
  if (state < 0) return false;
  for (int b = 0; b < 256; ++b)
    if (Step(state, static_cast<uint8_t>(b)) >= 0) return true;
  return false;
}

}  // namespace mhub::serve
