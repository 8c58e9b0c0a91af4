#include "datasets/parquet/write_schema.h"

#include <cmath>

namespace mhub::datasets::parquet {

namespace {

// Smallest byte count whose signed range holds every unscaled value of `precision` digits, as
// Arrow sizes FIXED_LEN_BYTE_ARRAY decimals.
int32_t DecimalBytes(int32_t precision) {
  // 10^p - 1 needs p*log2(10) bits plus a sign bit (never an exact integer, so no rounding edge).
  return static_cast<int32_t>(std::ceil((precision * 3.321928094887362 + 1) / 8));
}

LogicalType Integer(int8_t bits, bool is_signed) {
  LogicalType t;
  t.kind = LogicalType::kInteger;
  t.bit_width = bits;
  t.is_signed = is_signed;
  return t;
}

LogicalType Simple(LogicalType::Kind kind) {
  LogicalType t;
  t.kind = kind;
  return t;
}

class LayoutBuilder {
 public:
  explicit LayoutBuilder(WriteLayout* out) : out_(out) {}

  Status Add(const Field& field, int16_t parent_def, int16_t parent_rep, std::vector<std::string> path,
             ShredNode* node) {
    if (field.name.empty()) return Status::InvalidArgument("a field has an empty name");
    if (!field.type) return Status::InvalidArgument("field '" + field.name + "' has no type");
    const DataType& t = *field.type;
    // A null-typed column has nothing but nulls, so it is optional whatever the field says.
    bool nullable = field.nullable || t.id == TypeId::kNull;
    path.push_back(field.name);
    node->type = t.id;
    node->nullable = nullable;
    node->def = static_cast<int16_t>(parent_def + (nullable ? 1 : 0));
    node->leaf_begin = static_cast<int>(out_->leaves.size());

    SchemaElement e;
    e.name = field.name;
    e.repetition_type = nullable ? Repetition::kOptional : Repetition::kRequired;

    if (t.id == TypeId::kStruct) {
      if (t.children.empty()) {
        return Status::Unsupported("struct column '" + Joined(path) + "' has no fields (Parquet has no empty groups)");
      }
      e.num_children = static_cast<int32_t>(t.children.size());
      out_->elements.push_back(std::move(e));
      node->children.resize(t.children.size());
      for (size_t k = 0; k < t.children.size(); ++k) {
        MHUB_RETURN_IF_ERROR(Add(t.children[k], node->def, parent_rep, path, &node->children[k]));
      }
    } else if (t.id == TypeId::kList) {
      // <opt|req> group name (LIST) { repeated group list { <opt|req> element } }
      e.num_children = 1;
      e.converted_type = ConvertedType::kList;
      e.logical_type = Simple(LogicalType::kList);
      out_->elements.push_back(std::move(e));
      SchemaElement repeated;
      repeated.name = "list";
      repeated.repetition_type = Repetition::kRepeated;
      repeated.num_children = 1;
      out_->elements.push_back(std::move(repeated));
      path.push_back("list");
      node->rep = static_cast<int16_t>(parent_rep + 1);
      node->children.resize(1);
      Field element = t.children.at(0);
      element.name = "element";
      MHUB_RETURN_IF_ERROR(Add(element, static_cast<int16_t>(node->def + 1), node->rep, path, &node->children[0]));
    } else {
      WriteLeaf leaf;
      leaf.path = path;
      leaf.max_def = node->def;
      leaf.max_rep = parent_rep;
      MHUB_RETURN_IF_ERROR(Primitive(t, &e, &leaf));
      node->leaf = static_cast<int>(out_->leaves.size());
      out_->elements.push_back(std::move(e));
      out_->leaves.push_back(std::move(leaf));
    }
    node->leaf_end = static_cast<int>(out_->leaves.size());
    return Status::OK();
  }

 private:
  static std::string Joined(const std::vector<std::string>& path) {
    std::string s;
    for (const std::string& p : path) s += (s.empty() ? "" : ".") + p;
    return s;
  }

  static void Physical(PhysicalType p, SchemaElement* e, WriteLeaf* leaf) {
    e->type = p;
    leaf->physical = p;
    switch (p) {
      case PhysicalType::kBoolean:
        leaf->width = 1;
        break;
      case PhysicalType::kInt32:
      case PhysicalType::kFloat:
        leaf->width = 4;
        break;
      case PhysicalType::kInt64:
      case PhysicalType::kDouble:
        leaf->width = 8;
        break;
      default:
        leaf->width = 0;
        break;
    }
  }

  static void Flba(int32_t n, SchemaElement* e, WriteLeaf* leaf) {
    e->type = PhysicalType::kFixedLenByteArray;
    e->type_length = n;
    leaf->physical = PhysicalType::kFixedLenByteArray;
    leaf->type_length = n;
    leaf->width = n;
  }

  static void Int(PhysicalType p, int8_t bits, bool is_signed, LeafKind kind, SchemaElement* e, WriteLeaf* leaf) {
    Physical(p, e, leaf);
    leaf->kind = kind;
    leaf->order = is_signed ? StatsOrder::kSigned : StatsOrder::kUnsigned;
    if (bits == 32 && is_signed && p == PhysicalType::kInt32) return;  // plain INT32, as pyarrow writes it
    if (bits == 64 && is_signed) return;
    e->logical_type = Integer(bits, is_signed);
    static constexpr ConvertedType kSigned[] = {ConvertedType::kInt8, ConvertedType::kInt16, ConvertedType::kInt32,
                                                ConvertedType::kInt64};
    static constexpr ConvertedType kUnsigned[] = {ConvertedType::kUint8, ConvertedType::kUint16, ConvertedType::kUint32,
                                                  ConvertedType::kUint64};
    int i = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
    e->converted_type = is_signed ? kSigned[i] : kUnsigned[i];
  }

  static Status Primitive(const DataType& t, SchemaElement* e, WriteLeaf* leaf) {
    using P = PhysicalType;
    switch (t.id) {
      case TypeId::kNull:
        Physical(P::kInt32, e, leaf);
        leaf->kind = LeafKind::kNull;
        e->logical_type = Simple(LogicalType::kUnknown);
        return Status::OK();
      case TypeId::kBool:
        Physical(P::kBoolean, e, leaf);
        leaf->kind = LeafKind::kBool;
        leaf->order = StatsOrder::kBool;
        return Status::OK();
      case TypeId::kInt8:
        Int(P::kInt32, 8, true, LeafKind::kSignExtend8, e, leaf);
        return Status::OK();
      case TypeId::kInt16:
        Int(P::kInt32, 16, true, LeafKind::kSignExtend16, e, leaf);
        return Status::OK();
      case TypeId::kInt32:
        Int(P::kInt32, 32, true, LeafKind::kCopy, e, leaf);
        return Status::OK();
      case TypeId::kInt64:
        Int(P::kInt64, 64, true, LeafKind::kCopy, e, leaf);
        return Status::OK();
      case TypeId::kUInt8:
        Int(P::kInt32, 8, false, LeafKind::kZeroExtend8, e, leaf);
        return Status::OK();
      case TypeId::kUInt16:
        Int(P::kInt32, 16, false, LeafKind::kZeroExtend16, e, leaf);
        return Status::OK();
      case TypeId::kUInt32:
        Int(P::kInt32, 32, false, LeafKind::kCopy, e, leaf);
        return Status::OK();
      case TypeId::kUInt64:
        Int(P::kInt64, 64, false, LeafKind::kCopy, e, leaf);
        return Status::OK();
      case TypeId::kFloat16:
        Flba(2, e, leaf);
        leaf->kind = LeafKind::kCopy;
        leaf->order = StatsOrder::kFloat16;
        e->logical_type = Simple(LogicalType::kFloat16);
        return Status::OK();
      case TypeId::kFloat32:
      case TypeId::kFloat64:
        Physical(t.id == TypeId::kFloat32 ? P::kFloat : P::kDouble, e, leaf);
        leaf->kind = LeafKind::kCopy;
        leaf->order = StatsOrder::kFloat;
        return Status::OK();
      case TypeId::kString:
      case TypeId::kBinary:
        Physical(P::kByteArray, e, leaf);
        leaf->kind = LeafKind::kBytes;
        leaf->order = StatsOrder::kBytes;
        if (t.id == TypeId::kString) {
          e->converted_type = ConvertedType::kUtf8;
          e->logical_type = Simple(LogicalType::kString);
        }
        return Status::OK();
      case TypeId::kDate32:
        Physical(P::kInt32, e, leaf);
        leaf->kind = LeafKind::kCopy;
        leaf->order = StatsOrder::kSigned;
        e->converted_type = ConvertedType::kDate;
        e->logical_type = Simple(LogicalType::kDate);
        return Status::OK();
      case TypeId::kTimestamp: {
        Physical(P::kInt64, e, leaf);
        leaf->order = StatsOrder::kSigned;
        LogicalType lt = Simple(LogicalType::kTimestamp);
        lt.is_adjusted_to_utc = !t.timezone.empty();
        leaf->kind = t.unit == TimeUnit::kSecond ? LeafKind::kSecondsToMillis : LeafKind::kCopy;
        lt.unit = t.unit == TimeUnit::kNano    ? LogicalType::kNanos
                  : t.unit == TimeUnit::kMicro ? LogicalType::kMicros
                                               : LogicalType::kMillis;
        // The legacy converted types mean UTC-adjusted; naive timestamps carry only the logical type.
        if (lt.is_adjusted_to_utc && lt.unit == LogicalType::kMillis)
          e->converted_type = ConvertedType::kTimestampMillis;
        if (lt.is_adjusted_to_utc && lt.unit == LogicalType::kMicros)
          e->converted_type = ConvertedType::kTimestampMicros;
        e->logical_type = lt;
        return Status::OK();
      }
      case TypeId::kDecimal128: {
        if (t.precision < 1 || t.precision > 38 || t.scale < 0 || t.scale > t.precision) {
          return Status::InvalidArgument("decimal128(" + std::to_string(t.precision) + ", " + std::to_string(t.scale) +
                                         ") is not a valid decimal type");
        }
        // Arrow's choice (store_decimal_as_integer): INT32 up to 9 digits, INT64 up to 18, else FLBA.
        if (t.precision <= 9) {
          Physical(P::kInt32, e, leaf);
          leaf->kind = LeafKind::kDecimalInt32;
          leaf->order = StatsOrder::kSigned;
        } else if (t.precision <= 18) {
          Physical(P::kInt64, e, leaf);
          leaf->kind = LeafKind::kDecimalInt64;
          leaf->order = StatsOrder::kSigned;
        } else {
          Flba(DecimalBytes(t.precision), e, leaf);
          leaf->kind = LeafKind::kDecimalFlba;
          leaf->order = StatsOrder::kSignedBigEndian;
        }
        e->converted_type = ConvertedType::kDecimal;
        e->scale = t.scale;
        e->precision = t.precision;
        LogicalType lt = Simple(LogicalType::kDecimal);
        lt.scale = t.scale;
        lt.precision = t.precision;
        e->logical_type = lt;
        return Status::OK();
      }
      default:
        return Status::Internal("unexpected type " + t.ToString() + " at a Parquet leaf");
    }
  }

  WriteLayout* out_;
};

}  // namespace

Result<WriteLayout> BuildWriteLayout(const Schema& schema) {
  WriteLayout out;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema.fields.size());
  out.elements.push_back(std::move(root));
  out.columns.resize(schema.fields.size());
  LayoutBuilder builder(&out);
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (!schema.fields[i].type) return Status::InvalidArgument("field '" + schema.fields[i].name + "' has no type");
    MHUB_RETURN_IF_ERROR(builder.Add(schema.fields[i], 0, 0, {}, &out.columns[i]));
  }
  return out;
}

}  // namespace mhub::datasets::parquet
