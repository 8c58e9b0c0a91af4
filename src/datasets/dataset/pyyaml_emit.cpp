// PyYAML-compatible block emitter (see pyyaml_emit.h). The scalar rules follow PyYAML's
// Emitter.analyze_scalar / choose_scalar_style and its YAML 1.1 implicit resolvers.
#include "datasets/dataset/pyyaml_emit.h"

#include <cstdio>
#include <regex>

#include "datasets/table/utf8_decode.h"

namespace mhub::datasets {

YamlNode::YamlNode() = default;
YamlNode::YamlNode(const YamlNode&) = default;
YamlNode::YamlNode(YamlNode&&) noexcept = default;
YamlNode& YamlNode::operator=(const YamlNode&) = default;
YamlNode& YamlNode::operator=(YamlNode&&) noexcept = default;
YamlNode::~YamlNode() = default;

namespace {

constexpr int kBestWidth = 80;

std::vector<uint32_t> Decode(const std::string& s) {  // UTF-8 -> code points
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) out.push_back(NextCodePoint(s, i));
  return out;
}

void Encode(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

bool IsBreak(uint32_t c) { return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }
bool IsSpaceOrEnd(const std::vector<uint32_t>& t, size_t i) {
  return i >= t.size() || t[i] == 0 || t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || IsBreak(t[i]);
}

// True when a plain scalar with this text would load back as something other than a string.
bool ResolvesToNonString(const std::string& s) {
  static const std::regex kImplicit(
      "(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)"
      "|(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?"
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))"
      "|(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
      "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)"
      "|<<|~|null|Null|NULL|="
      "|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
      "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]"
      "(?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?");
  return s.empty() || std::regex_match(s, kImplicit);
}

enum class Style { kPlain, kSingle, kDouble };

Style ChooseStyle(const std::vector<uint32_t>& t, const std::string& text, bool simple_key) {
  bool flow_ind = false, block_ind = false, line_breaks = false, special = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false;
  if (text.rfind("---", 0) == 0 || text.rfind("...", 0) == 0) flow_ind = block_ind = true;
  bool preceded_ws = true;
  bool followed_ws = t.size() == 1 || IsSpaceOrEnd(t, 1);
  bool prev_space = false, prev_break = false;
  for (size_t i = 0; i < t.size(); ++i) {
    uint32_t ch = t[i];
    if (i == 0) {
      if (ch < 0x80 && std::string("#,[]{}&*!|>'\"%@`").find(static_cast<char>(ch)) != std::string::npos)
        flow_ind = block_ind = true;
      if (ch == '?' || ch == ':') {
        flow_ind = true;
        if (followed_ws) block_ind = true;
      }
      if (ch == '-' && followed_ws) flow_ind = block_ind = true;
    } else {
      if (ch == ',' || ch == '?' || ch == '[' || ch == ']' || ch == '{' || ch == '}') flow_ind = true;
      if (ch == ':') {
        flow_ind = true;
        if (followed_ws) block_ind = true;
      }
      if (ch == '#' && preceded_ws) flow_ind = block_ind = true;
    }
    if (IsBreak(ch)) line_breaks = true;
    if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7e))) {
      bool printable_unicode = (ch == 0x85 || (ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd) ||
                                (ch >= 0x10000 && ch < 0x10ffff)) &&
                               ch != 0xfeff;
      if (!printable_unicode) special = true;
    }
    if (ch == ' ') {
      if (i == 0) leading_space = true;
      if (i == t.size() - 1) trailing_space = true;
      if (prev_break) break_space = true;
      prev_space = true;
      prev_break = false;
    } else if (IsBreak(ch)) {
      if (i == 0) leading_break = true;
      if (i == t.size() - 1) trailing_break = true;
      if (prev_space) space_break = true;
      prev_space = false;
      prev_break = true;
    } else {
      prev_space = prev_break = false;
    }
    preceded_ws = ch == 0 || ch == ' ' || ch == '\t' || ch == '\r' || IsBreak(ch);
    followed_ws = IsSpaceOrEnd(t, i + 2);
  }
  (void)flow_ind;  // only block context is emitted here; kept to mirror PyYAML's analysis
  bool block_plain = true, single = true;
  if (leading_space || leading_break || trailing_space || trailing_break) block_plain = false;
  if (break_space) block_plain = single = false;
  if (space_break || special) block_plain = single = false;
  if (line_breaks) block_plain = false;
  if (block_ind) block_plain = false;
  bool multiline = line_breaks;
  if (!t.empty() && block_plain && !(simple_key && multiline) && !ResolvesToNonString(text)) return Style::kPlain;
  if (single && !(simple_key && multiline)) return Style::kSingle;
  return Style::kDouble;
}

// Writes `text` starting at `column`; wraps (newline + `cont_indent` spaces) where PyYAML would.
struct Writer {
  std::string out;
  int column = 0;
  void Put(const std::vector<uint32_t>& t, size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) Encode(t[i], out);
    column += static_cast<int>(e - b);
  }
  void PutAscii(const std::string& s) {
    out += s;
    column += static_cast<int>(s.size());
  }
  void Indent(int n) {
    out += '\n';
    out.append(static_cast<size_t>(n), ' ');
    column = n;
  }
};

void WritePlain(Writer& w, const std::vector<uint32_t>& t, int cont, bool split) {
  bool spaces = false;
  size_t start = 0;
  for (size_t end = 0; end <= t.size(); ++end) {
    uint32_t ch = end < t.size() ? t[end] : 0xffffffffu;
    bool none = end >= t.size();
    if (spaces) {
      if (ch != ' ') {
        if (start + 1 == end && w.column > kBestWidth && split)
          w.Indent(cont);
        else
          w.Put(t, start, end);
        start = end;
      }
    } else if (none || ch == ' ') {
      w.Put(t, start, end);
      start = end;
    }
    if (!none) spaces = ch == ' ';
  }
}

void WriteSingle(Writer& w, const std::vector<uint32_t>& t, int cont, bool split) {
  w.PutAscii("'");
  bool spaces = false, breaks = false;
  size_t start = 0;
  for (size_t end = 0; end <= t.size(); ++end) {
    bool none = end >= t.size();
    uint32_t ch = none ? 0xffffffffu : t[end];
    if (spaces) {
      if (none || ch != ' ') {
        if (start + 1 == end && w.column > kBestWidth && split && start != 0 && end != t.size())
          w.Indent(cont);
        else
          w.Put(t, start, end);
        start = end;
      }
    } else if (breaks) {
      if (none || !IsBreak(ch)) {
        if (t[start] == '\n') w.out += '\n';
        for (size_t k = start; k < end; ++k) {
          if (t[k] == '\n')
            w.out += '\n';
          else
            Encode(t[k], w.out);
        }
        w.out.append(static_cast<size_t>(cont), ' ');
        w.column = cont;
        start = end;
      }
    } else if (none || ch == ' ' || IsBreak(ch) || ch == '\'') {
      if (start < end) {
        w.Put(t, start, end);
        start = end;
      }
    }
    if (ch == '\'') {
      w.PutAscii("''");
      start = end + 1;
    }
    if (!none) {
      spaces = ch == ' ';
      breaks = IsBreak(ch);
    }
  }
  w.PutAscii("'");
}

void WriteDouble(Writer& w, const std::vector<uint32_t>& t) {
  w.PutAscii("\"");
  for (uint32_t ch : t) {
    const char* rep = nullptr;
    switch (ch) {
      case 0:
        rep = "0";
        break;
      case 0x07:
        rep = "a";
        break;
      case 0x08:
        rep = "b";
        break;
      case 0x09:
        rep = "t";
        break;
      case 0x0a:
        rep = "n";
        break;
      case 0x0b:
        rep = "v";
        break;
      case 0x0c:
        rep = "f";
        break;
      case 0x0d:
        rep = "r";
        break;
      case 0x1b:
        rep = "e";
        break;
      case '"':
        rep = "\"";
        break;
      case '\\':
        rep = "\\";
        break;
      case 0x85:
        rep = "N";
        break;
      case 0xa0:
        rep = "_";
        break;
      case 0x2028:
        rep = "L";
        break;
      case 0x2029:
        rep = "P";
        break;
      default:
        break;
    }
    bool escape = ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xfeff ||
                  !((ch >= 0x20 && ch <= 0x7e) || (ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd));
    if (!escape) {
      w.Put({ch}, 0, 1);
      continue;
    }
    char buf[16];
    if (rep)
      std::snprintf(buf, sizeof buf, "\\%s", rep);
    else if (ch <= 0xff)
      std::snprintf(buf, sizeof buf, "\\x%02X", ch);
    else if (ch <= 0xffff)
      std::snprintf(buf, sizeof buf, "\\u%04X", ch);
    else
      std::snprintf(buf, sizeof buf, "\\U%08X", ch);
    w.PutAscii(buf);
  }
  w.PutAscii("\"");
}

void WriteScalar(Writer& w, const YamlNode& n, int cont, bool simple_key) {
  if (n.raw) return w.PutAscii(n.scalar);
  std::vector<uint32_t> t = Decode(n.scalar);
  switch (ChooseStyle(t, n.scalar, simple_key)) {
    case Style::kPlain:
      return WritePlain(w, t, cont, !simple_key);
    case Style::kSingle:
      return WriteSingle(w, t, cont, !simple_key);
    case Style::kDouble:
      return WriteDouble(w, t);
  }
}

void WriteNode(Writer& w, const YamlNode& n, int indent);

// A mapping whose first key is written at the current position (after "- " or at `indent`).
void WriteMap(Writer& w, const YamlNode& n, int indent) {
  bool first = true;
  for (const auto& [key, value] : n.map) {
    if (!first) w.Indent(indent);
    first = false;
    WriteScalar(w, YamlNode::Str(key), indent + 2, true);
    w.PutAscii(":");
    if (value.kind == YamlNode::Kind::kScalar) {
      w.PutAscii(" ");
      WriteScalar(w, value, indent + 2, false);
    } else if (value.kind == YamlNode::Kind::kMap) {
      if (value.map.empty()) {
        w.PutAscii(" {}");
      } else {
        w.Indent(indent + 2);
        WriteMap(w, value, indent + 2);
      }
    } else if (value.seq.empty()) {
      w.PutAscii(" []");
    } else {
      w.Indent(indent);  // indentless sequence
      WriteNode(w, value, indent);
    }
  }
}

void WriteSeq(Writer& w, const YamlNode& n, int indent) {
  bool first = true;
  for (const YamlNode& item : n.seq) {
    if (!first) w.Indent(indent);
    first = false;
    w.PutAscii("- ");
    if (item.kind == YamlNode::Kind::kScalar)
      WriteScalar(w, item, indent + 2, false);
    else if (item.kind == YamlNode::Kind::kMap && item.map.empty())
      w.PutAscii("{}");
    else if (item.kind == YamlNode::Kind::kSeq && item.seq.empty())
      w.PutAscii("[]");
    else
      WriteNode(w, item, indent + 2);
  }
}

void WriteNode(Writer& w, const YamlNode& n, int indent) {
  if (n.kind == YamlNode::Kind::kMap)
    WriteMap(w, n, indent);
  else if (n.kind == YamlNode::Kind::kSeq)
    WriteSeq(w, n, indent);
  else
    WriteScalar(w, n, indent + 2, false);
}

}  // namespace

std::string EmitYaml(const YamlNode& node, int indent) {
  Writer w;
  w.out.append(static_cast<size_t>(indent), ' ');
  w.column = indent;
  WriteNode(w, node, indent);
  w.out += '\n';
  return w.out;
}

}  // namespace mhub::datasets
