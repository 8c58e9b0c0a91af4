#include "datasets/parquet/column_shredder.h"

#include <cstring>
#include <string>

namespace mhub::datasets::parquet {

namespace {

void AppendBytes(std::vector<uint8_t>* out, const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  out->insert(out->end(), b, b + n);
}

// Appends a[i] (non-null), converted to the leaf's physical representation.
inline void AppendValue(const WriteLeaf& leaf, const Array& a, int64_t i, LeafChunk* c) {
  const uint8_t* v = a.values.data;
  switch (leaf.kind) {
    case LeafKind::kNull:
      break;
    case LeafKind::kBool:
      c->fixed.push_back(v[i] != 0 ? 1 : 0);
      break;
    case LeafKind::kSignExtend8: {
      int32_t x = static_cast<int8_t>(v[i]);
      AppendBytes(&c->fixed, &x, 4);
      break;
    }
    case LeafKind::kSignExtend16: {
      int32_t x = a.Value<int16_t>(i);
      AppendBytes(&c->fixed, &x, 4);
      break;
    }
    case LeafKind::kZeroExtend8: {
      int32_t x = v[i];
      AppendBytes(&c->fixed, &x, 4);
      break;
    }
    case LeafKind::kZeroExtend16: {
      int32_t x = a.Value<uint16_t>(i);
      AppendBytes(&c->fixed, &x, 4);
      break;
    }
    case LeafKind::kCopy:
      AppendBytes(&c->fixed, v + i * leaf.width, static_cast<size_t>(leaf.width));
      break;
    case LeafKind::kSecondsToMillis: {
      int64_t x = static_cast<int64_t>(static_cast<uint64_t>(a.Value<int64_t>(i)) * 1000u);
      AppendBytes(&c->fixed, &x, 8);
      break;
    }
    case LeafKind::kDecimalInt32:
      AppendBytes(&c->fixed, v + i * 16, 4);
      break;
    case LeafKind::kDecimalInt64:
      AppendBytes(&c->fixed, v + i * 16, 8);
      break;
    case LeafKind::kDecimalFlba: {
      const uint8_t* le = v + i * 16;
      for (int b = leaf.type_length - 1; b >= 0; --b) c->fixed.push_back(le[b]);  // big-endian
      break;
    }
    case LeafKind::kBytes: {
      std::string_view s = a.Bytes(i);
      AppendBytes(&c->bytes, s.data(), s.size());
      c->offsets.push_back(static_cast<int64_t>(c->bytes.size()));
      break;
    }
  }
  ++c->num_values;
}

Status CheckShape(const ShredNode& n, const Array& a, const std::string& name) {
  if (!a.type || a.type->id != n.type) {
    return Status::InvalidArgument("column '" + name + "' holds " + (a.type ? a.type->ToString() : "no type") +
                                   " where the schema says otherwise");
  }
  if (n.type == TypeId::kStruct || n.type == TypeId::kList) {
    if (a.children.size() != n.children.size()) {
      return Status::InvalidArgument("column '" + name + "' has " + std::to_string(a.children.size()) +
                                     " children, the schema " + std::to_string(n.children.size()));
    }
    for (size_t k = 0; k < n.children.size(); ++k) {
      if (!a.children[k]) return Status::InvalidArgument("column '" + name + "' has a missing child array");
      MHUB_RETURN_IF_ERROR(CheckShape(n.children[k], *a.children[k], name + "." + a.type->children[k].name));
    }
  }
  return Status::OK();
}

class Shredder {
 public:
  Shredder(const std::vector<WriteLeaf>& leaves, std::vector<LeafChunk>* chunks) : leaves_(leaves), chunks_(*chunks) {}

  void Visit(const ShredNode& n, const Array& a, int64_t i, int16_t parent_def, int16_t r) {
    if (a.IsNull(i)) {
      if (!n.nullable) {
        null_in_required_ = true;
        return;
      }
      Empty(n, parent_def, r);
      return;
    }
    if (n.leaf >= 0) {
      Level(n.leaf, n.def, r);
      AppendValue(leaves_[n.leaf], a, i, &chunks_[n.leaf]);
    } else if (n.type == TypeId::kStruct) {
      for (size_t k = 0; k < n.children.size(); ++k) Visit(n.children[k], *a.children[k], i, n.def, r);
    } else {  // list
      int64_t b = a.Offset(i), e = a.Offset(i + 1);
      if (b >= e) {
        Empty(n, n.def, r);  // defined but empty: the repeated group is absent
        return;
      }
      for (int64_t j = b; j < e; ++j) {
        Visit(n.children[0], *a.children[0], j, static_cast<int16_t>(n.def + 1), j == b ? r : n.rep);
      }
    }
  }

  bool null_in_required() const { return null_in_required_; }

 private:
  void Level(int leaf, int16_t d, int16_t r) {
    LeafChunk& c = chunks_[leaf];
    if (leaves_[leaf].max_def > 0) c.def.push_back(d);
    if (leaves_[leaf].max_rep > 0) c.rep.push_back(r);
    ++c.num_levels;
  }
  // A null or empty value: one level, no value, for every leaf below `n`.
  void Empty(const ShredNode& n, int16_t d, int16_t r) {
    for (int l = n.leaf_begin; l < n.leaf_end; ++l) Level(l, d, r);
  }

  const std::vector<WriteLeaf>& leaves_;
  std::vector<LeafChunk>& chunks_;
  bool null_in_required_ = false;
};

// A top-level primitive column: levels from the validity bitmap, values in bulk where the layout
// allows a plain copy.
void ShredFlat(const ShredNode& n, const WriteLeaf& leaf, const Array& a, int64_t begin, int64_t end, LeafChunk* c) {
  bool has_nulls = a.null_count > 0 || a.type->id == TypeId::kNull;
  if (leaf.max_def > 0) {
    size_t at = c->def.size();
    c->def.resize(at + static_cast<size_t>(end - begin), 1);
    if (has_nulls) {
      for (int64_t i = begin; i < end; ++i) c->def[at + static_cast<size_t>(i - begin)] = a.IsNull(i) ? 0 : 1;
    }
  }
  c->num_levels += end - begin;
  if (a.type->id == TypeId::kNull) return;
  if (!has_nulls && leaf.kind == LeafKind::kCopy) {
    AppendBytes(&c->fixed, a.values.data + begin * leaf.width, static_cast<size_t>((end - begin) * leaf.width));
    c->num_values += end - begin;
    return;
  }
  if (!has_nulls && leaf.kind == LeafKind::kBytes) {
    int64_t base = a.Offset(begin);
    AppendBytes(&c->bytes, a.values.data + base, static_cast<size_t>(a.Offset(end) - base));
    int64_t shift = static_cast<int64_t>(c->bytes.size()) - (a.Offset(end) - base) - base;
    for (int64_t i = begin + 1; i <= end; ++i) c->offsets.push_back(a.Offset(i) + shift);
    c->num_values += end - begin;
    return;
  }
  if (leaf.width > 0) c->fixed.reserve(c->fixed.size() + static_cast<size_t>((end - begin) * leaf.width));
  for (int64_t i = begin; i < end; ++i) {
    if (!has_nulls || a.IsValid(i)) AppendValue(leaf, a, i, c);
  }
}

}  // namespace

void LeafChunk::Clear() {
  def.clear();
  rep.clear();
  num_levels = num_values = num_rows = 0;
  fixed.clear();
  bytes.clear();
  offsets.assign(1, 0);
}

Status ShredColumn(const ShredNode& node, const std::vector<WriteLeaf>& leaves, const Array& array, int64_t begin,
                   int64_t end, std::vector<LeafChunk>* chunks) {
  MHUB_RETURN_IF_ERROR(CheckShape(node, array, leaves[static_cast<size_t>(node.leaf_begin)].path.at(0)));
  if (begin < 0 || end > array.length || begin > end) {
    return Status::InvalidArgument("rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                                   ") are outside a column of " + std::to_string(array.length));
  }
  if (node.leaf >= 0) {
    if (!node.nullable && array.null_count > 0) {
      return Status::InvalidArgument("column '" + leaves[node.leaf].path[0] + "' is not nullable but holds nulls");
    }
    ShredFlat(node, leaves[node.leaf], array, begin, end, &(*chunks)[node.leaf]);
  } else {
    Shredder s(leaves, chunks);
    for (int64_t i = begin; i < end; ++i) s.Visit(node, array, i, 0, 0);
    if (s.null_in_required()) {
      return Status::InvalidArgument("column '" + leaves[node.leaf_begin].path[0] +
                                     "' holds a null where its schema says the value is required");
    }
  }
  for (int l = node.leaf_begin; l < node.leaf_end; ++l) (*chunks)[l].num_rows += end - begin;
  return Status::OK();
}

}  // namespace mhub::datasets::parquet
