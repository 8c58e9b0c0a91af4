// A block-style YAML emitter that writes what PyYAML's yaml.dump(sort_keys=False,
// allow_unicode=True) writes (huggingface_hub's yaml_dump, so a dataset card's front matter):
// indentless sequences under mapping keys, scalars plain when PyYAML would leave them plain, else
// single-quoted, else double-quoted; plain and single-quoted values wrapped past column 80.
// Known difference: long double-quoted scalars are not wrapped (valid YAML, same value).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mhub::datasets {

struct YamlNode {
  enum class Kind { kScalar, kMap, kSeq } kind = Kind::kScalar;
  std::string scalar;                                 // kScalar (a string; numbers as their text)
  bool raw = false;                                   // kScalar: emit as-is (ints), never quoted
  std::vector<std::pair<std::string, YamlNode>> map;  // kMap, in order
  std::vector<YamlNode> seq;                          // kSeq

  // Out of line (pyyaml_emit.cpp): the members hold YamlNode, which is complete only there (clang
  // with libstdc++ refuses the implicit ones inside the class).
  YamlNode();
  YamlNode(const YamlNode&);
  YamlNode(YamlNode&&) noexcept;
  YamlNode& operator=(const YamlNode&);
  YamlNode& operator=(YamlNode&&) noexcept;
  ~YamlNode();

  static YamlNode Str(std::string s) {
    YamlNode n;
    n.scalar = std::move(s);
    return n;
  }
  static YamlNode Int(long long v) {
    YamlNode n;
    n.scalar = std::to_string(v);
    n.raw = true;
    return n;
  }
  static YamlNode Map() {
    YamlNode n;
    n.kind = Kind::kMap;
    return n;
  }
  static YamlNode Seq() {
    YamlNode n;
    n.kind = Kind::kSeq;
    return n;
  }
  YamlNode& Add(std::string key, YamlNode value) {
    map.emplace_back(std::move(key), std::move(value));
    return map.back().second;
  }
};

// The node as PyYAML writes it at `indent` (a top-level mapping or sequence; every line starts with
// `indent` spaces); ends with a newline.
std::string EmitYaml(const YamlNode& node, int indent = 0);

}  // namespace mhub::datasets
