#include "datasets/parquet/schema_build.h"

#include <memory>

namespace mhub::datasets::parquet {
namespace {

constexpr int kMaxDepth = 100;

struct Builder {
  const FileMetaData& meta;
  ParquetSchema* out;
  size_t next = 1;  // next schema element to consume (0 is the root)
  std::vector<std::string> path;

  bool IsList(const SchemaElement& e) const {
    return (e.logical_type && e.logical_type->kind == LogicalType::kList) ||
           (e.converted_type && *e.converted_type == ConvertedType::kList);
  }
  bool IsMap(const SchemaElement& e) const {
    return (e.logical_type && e.logical_type->kind == LogicalType::kMap) ||
           (e.converted_type &&
            (*e.converted_type == ConvertedType::kMap || *e.converted_type == ConvertedType::kMapKeyValue));
  }
  static bool IsGroup(const SchemaElement& e) { return !e.type.has_value(); }
  static Repetition Rep(const SchemaElement& e) { return e.repetition_type.value_or(Repetition::kOptional); }

  Result<DataTypePtr> LeafType(const SchemaElement& e) {
    const auto& lt = e.logical_type;
    auto ct = e.converted_type;
    auto decimal = [&]() -> Result<DataTypePtr> {
      int32_t p = lt && lt->kind == LogicalType::kDecimal ? lt->precision : e.precision.value_or(0);
      int32_t s = lt && lt->kind == LogicalType::kDecimal ? lt->scale : e.scale.value_or(0);
      if (p <= 0 || p > 38 || s < 0 || s > p) {
        return Status::Unsupported("decimal(" + std::to_string(p) + ", " + std::to_string(s) +
                                   ") (only precision 1..38 is read)");
      }
      return Decimal128(p, s);
    };
    // UNKNOWN is Arrow's null type, whatever the physical type under it (pyarrow writes INT32).
    if (lt && lt->kind == LogicalType::kUnknown) return Null();
    bool is_decimal = (lt && lt->kind == LogicalType::kDecimal) || (!lt && ct == ConvertedType::kDecimal);
    switch (*e.type) {
      case PhysicalType::kBoolean:
        return Bool();
      case PhysicalType::kInt32:
        if (is_decimal) return decimal();
        if (lt && lt->kind == LogicalType::kInteger) {
          switch (lt->bit_width) {
            case 8:
              return lt->is_signed ? Int8() : UInt8();
            case 16:
              return lt->is_signed ? Int16() : UInt16();
            case 32:
              return lt->is_signed ? Int32() : UInt32();
            default:
              return Status::Corruption("INT32 column with INTEGER(" + std::to_string(lt->bit_width) + ")");
          }
        }
        if (lt && lt->kind == LogicalType::kDate) return Date32();
        if (!lt && ct) {
          switch (*ct) {
            case ConvertedType::kInt8:
              return Int8();
            case ConvertedType::kInt16:
              return Int16();
            case ConvertedType::kUint8:
              return UInt8();
            case ConvertedType::kUint16:
              return UInt16();
            case ConvertedType::kUint32:
              return UInt32();
            case ConvertedType::kDate:
              return Date32();
            default:
              break;
          }
        }
        return Int32();
      case PhysicalType::kInt64:
        if (is_decimal) return decimal();
        if (lt && lt->kind == LogicalType::kInteger) {
          if (lt->bit_width != 64)
            return Status::Corruption("INT64 column with INTEGER(" + std::to_string(lt->bit_width) + ")");
          return lt->is_signed ? Int64() : UInt64();
        }
        if (lt && lt->kind == LogicalType::kTimestamp) {
          TimeUnit u = lt->unit == LogicalType::kMillis  ? TimeUnit::kMilli
                       : lt->unit == LogicalType::kNanos ? TimeUnit::kNano
                                                         : TimeUnit::kMicro;
          return Timestamp(u, lt->is_adjusted_to_utc ? "UTC" : "");
        }
        if (!lt && ct) {
          switch (*ct) {
            case ConvertedType::kUint64:
              return UInt64();
            case ConvertedType::kTimestampMillis:
              return Timestamp(TimeUnit::kMilli, "UTC");
            case ConvertedType::kTimestampMicros:
              return Timestamp(TimeUnit::kMicro, "UTC");
            default:
              break;
          }
        }
        return Int64();
      case PhysicalType::kInt96:
        return Timestamp(TimeUnit::kNano);
      case PhysicalType::kFloat:
        return Float32();
      case PhysicalType::kDouble:
        return Float64();
      case PhysicalType::kByteArray:
        if (is_decimal) return decimal();
        if (lt &&
            (lt->kind == LogicalType::kString || lt->kind == LogicalType::kJson || lt->kind == LogicalType::kEnum)) {
          return String();
        }
        if (!lt && ct && (*ct == ConvertedType::kUtf8 || *ct == ConvertedType::kJson || *ct == ConvertedType::kEnum)) {
          return String();
        }
        return Binary();
      case PhysicalType::kFixedLenByteArray:
        if (e.type_length.value_or(-1) < 0) return Status::Corruption("FIXED_LEN_BYTE_ARRAY without a type_length");
        if (is_decimal) {
          if (*e.type_length > 16) return Status::Unsupported("decimal stored in more than 16 bytes");
          return decimal();
        }
        if (lt && lt->kind == LogicalType::kFloat16) {
          if (*e.type_length != 2) return Status::Corruption("FLOAT16 column with type_length != 2");
          return Float16();
        }
        return Binary();
    }
    return Status::Corruption("unknown physical type " + std::to_string(static_cast<int>(*e.type)));
  }

  // Consumes the element at `next` and its subtree; builds its node. `def`/`rep`: the levels of
  // the parent; `exist_def`/`enclosing_rep`: of the nearest enclosing repeated node.
  Status Node(int depth, int16_t def, int16_t rep, int16_t exist_def, ArrowNode* node) {
    if (depth > kMaxDepth) return Status::Corruption("schema nested deeper than 100 levels");
    if (next >= meta.schema.size()) return Status::Corruption("schema: num_children runs past the element list");
    const SchemaElement& e = meta.schema[next++];
    path.push_back(e.name);
    Status st = NodeOf(e, depth, def, rep, exist_def, node);
    path.pop_back();
    return st;
  }

  Status NodeOf(const SchemaElement& e, int depth, int16_t def, int16_t rep, int16_t exist_def, ArrowNode* node) {
    Repetition r = Rep(e);
    node->field.name = e.name;
    if (r == Repetition::kRepeated) {
      // A bare repeated field: a non-null list whose elements are this field, required.
      node->kind = ArrowNode::kList;
      node->field.nullable = false;
      node->enclosing_rep = rep;
      node->exist_def = exist_def;
      node->valid_def = def;
      node->elem_rep = static_cast<int16_t>(rep + 1);
      node->elem_def = static_cast<int16_t>(def + 1);
      node->children.resize(1);
      ArrowNode& elem = node->children[0];
      MHUB_RETURN_IF_ERROR(Element(e, depth, node->elem_def, node->elem_rep, &elem));
      elem.field.name = IsGroup(e) ? e.name : "element";
      node->field.type = List(elem.field.type, false);
      node->first_leaf = elem.first_leaf;
      node->last_leaf = elem.last_leaf;
      return Status::OK();
    }
    int16_t my_def = static_cast<int16_t>(def + (r == Repetition::kOptional ? 1 : 0));
    node->field.nullable = r == Repetition::kOptional;
    node->enclosing_rep = rep;
    node->exist_def = exist_def;
    node->valid_def = my_def;
    if (!IsGroup(e)) return Leaf(e, my_def, rep, node);
    int n = e.num_children.value_or(0);
    if (n < 0 || static_cast<size_t>(n) > meta.schema.size() - next) {
      return Status::Corruption("schema: group '" + e.name + "' claims " + std::to_string(n) + " children");
    }
    if ((IsList(e) || IsMap(e)) && n == 1 && Rep(meta.schema[next]) == Repetition::kRepeated) {
      // LIST / MAP: the repeated child defines the elements.
      const SchemaElement& repeated = meta.schema[next];
      node->kind = ArrowNode::kList;
      node->elem_rep = static_cast<int16_t>(rep + 1);
      node->elem_def = static_cast<int16_t>(my_def + 1);
      node->children.resize(1);
      ArrowNode& elem = node->children[0];
      ++next;
      path.push_back(repeated.name);
      Status st;
      bool element_is_repeated_group =
          IsGroup(repeated) && (IsMap(e) || repeated.num_children.value_or(0) != 1 || repeated.name == "array" ||
                                repeated.name == e.name + "_tuple");
      if (!IsGroup(repeated) || element_is_repeated_group) {
        // 2-level list (or MAP's key_value): the repeated field itself is the element.
        st = Element(repeated, depth + 1, node->elem_def, node->elem_rep, &elem);
        if (st.ok() && !IsGroup(repeated)) elem.field.name = "element";
        if (st.ok() && IsMap(e)) elem.field.name = "entries";
      } else {
        // 3-level list: repeated group { <element> }.
        st = Node(depth + 2, node->elem_def, node->elem_rep, node->elem_def, &elem);
      }
      path.pop_back();
      MHUB_RETURN_IF_ERROR(st);
      node->field.type = List(elem.field.type, elem.field.nullable);
      node->first_leaf = elem.first_leaf;
      node->last_leaf = elem.last_leaf;
      return Status::OK();
    }
    return Struct(e, n, depth, my_def, rep, exist_def, node);
  }

  Status Struct(const SchemaElement& e, int n, int depth, int16_t my_def, int16_t rep, int16_t exist_def,
                ArrowNode* node) {
    node->kind = ArrowNode::kStruct;
    node->children.resize(n);
    std::vector<Field> fields;
    for (int i = 0; i < n; ++i) {
      MHUB_RETURN_IF_ERROR(Node(depth + 1, my_def, rep, exist_def, &node->children[i]));
      fields.push_back(node->children[i].field);
    }
    if (n == 0) return Status::Corruption("schema: group '" + e.name + "' has no children");
    node->field.type = mhub::datasets::Struct(std::move(fields));
    node->first_leaf = node->children.front().first_leaf;
    node->last_leaf = node->children.back().last_leaf;
    return Status::OK();
  }

  // The element of a repeated field `e` (already consumed): required, at the repeated level.
  Status Element(const SchemaElement& e, int depth, int16_t def, int16_t rep, ArrowNode* elem) {
    elem->field.name = e.name;
    elem->field.nullable = false;
    elem->enclosing_rep = rep;
    elem->exist_def = def;
    elem->valid_def = def;
    if (!IsGroup(e)) return Leaf(e, def, rep, elem);
    int n = e.num_children.value_or(0);
    if (n < 0 || static_cast<size_t>(n) > meta.schema.size() - next) {
      return Status::Corruption("schema: group '" + e.name + "' claims " + std::to_string(n) + " children");
    }
    return Struct(e, n, depth, def, rep, def, elem);
  }

  Status Leaf(const SchemaElement& e, int16_t def, int16_t rep, ArrowNode* node) {
    Result<DataTypePtr> t = LeafType(e);
    std::string dotted;
    for (const auto& p : path) dotted += (dotted.empty() ? "" : ".") + p;
    if (!t.ok()) return t.status().WithContext("column '" + dotted + "'");
    LeafColumn leaf;
    leaf.path = path;
    leaf.dotted = dotted;
    leaf.element = &e;
    leaf.physical = *e.type;
    leaf.type_length = e.type_length.value_or(0);
    leaf.max_def = def;
    leaf.max_rep = rep;
    leaf.type = *t;
    node->kind = ArrowNode::kLeaf;
    node->field.type = *t;
    node->leaf = static_cast<int>(out->leaves.size());
    node->first_leaf = node->leaf;
    node->last_leaf = node->leaf + 1;
    out->leaves.push_back(std::move(leaf));
    return Status::OK();
  }
};

}  // namespace

Result<ParquetSchema> BuildSchema(const FileMetaData& meta) {
  ParquetSchema out;
  if (meta.schema.empty()) return Status::Corruption("schema: no root element");
  const SchemaElement& root = meta.schema[0];
  int n = root.num_children.value_or(0);
  if (n < 0 || static_cast<size_t>(n) > meta.schema.size() - 1) {
    return Status::Corruption("schema: root claims " + std::to_string(n) + " children");
  }
  Builder b{meta, &out, 1, {}};
  out.top.resize(n);
  for (int i = 0; i < n; ++i) {
    MHUB_RETURN_IF_ERROR(b.Node(1, 0, 0, 0, &out.top[i]));
    out.arrow.fields.push_back(out.top[i].field);
  }
  if (b.next != meta.schema.size()) {
    return Status::Corruption("schema: " + std::to_string(meta.schema.size() - b.next) +
                              " elements outside the root's tree");
  }
  for (const auto& kv : meta.key_value_metadata) out.arrow.metadata.emplace_back(kv.key, kv.value.value_or(""));
  return out;
}

}  // namespace mhub::datasets::parquet
