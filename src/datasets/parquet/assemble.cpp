#include "datasets/parquet/assemble.h"

#include <cstring>
#include <string>
#include <type_traits>

namespace mhub::datasets::parquet {
namespace {

// Dense non-null values in the Arrow layout of the leaf's type.
struct ArrowValues {
  int width = 0;  // fixed-width bytes per value; 0 for string/binary
  int64_t count = 0;
  PodVector<uint8_t> fixed;
  PodVector<int64_t> offsets;
  PodVector<uint8_t> bytes;
};

// Big-endian two's complement (1..16 bytes) to a 16-byte little-endian value.
void BigEndianToDecimal(const uint8_t* src, size_t n, uint8_t* dst) {
  uint8_t fill = (n > 0 && (src[0] & 0x80)) ? 0xff : 0x00;
  std::memset(dst, fill, 16);
  for (size_t i = 0; i < n && i < 16; ++i) dst[i] = src[n - 1 - i];
}

Status ConvertValues(const LeafColumn& leaf, DenseValues& in, ArrowValues* out) {
  const DataType& t = *leaf.type;
  out->count = in.count;
  const int64_t n = in.count;
  if (in.is_byte_array()) {
    if (t.id == TypeId::kDecimal128) {
      out->width = 16;
      uint8_t* dst = out->fixed.grow(n * 16);
      for (int64_t i = 0; i < n; ++i) {
        int64_t b = in.offsets[i], len = in.offsets[i + 1] - b;
        if (len > 16) return Status::Corruption("decimal value of " + std::to_string(len) + " bytes");
        BigEndianToDecimal(in.bytes.data() + b, static_cast<size_t>(len), dst + i * 16);
      }
      return Status::OK();
    }
    out->offsets = std::move(in.offsets);
    out->bytes = std::move(in.bytes);
    return Status::OK();
  }
  switch (in.type) {
    case PhysicalType::kInt32: {
      const int32_t* src = reinterpret_cast<const int32_t*>(in.fixed.data());
      auto narrow = [&](auto tag) {
        using U = decltype(tag);
        out->width = sizeof(U);
        U* dst = reinterpret_cast<U*>(out->fixed.grow(n * sizeof(U)));
        for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<U>(src[i]);
      };
      switch (t.id) {
        case TypeId::kInt8:
          narrow(int8_t{});
          return Status::OK();
        case TypeId::kUInt8:
          narrow(uint8_t{});
          return Status::OK();
        case TypeId::kInt16:
          narrow(int16_t{});
          return Status::OK();
        case TypeId::kUInt16:
          narrow(uint16_t{});
          return Status::OK();
        case TypeId::kDecimal128: {
          out->width = 16;
          uint8_t* dst = out->fixed.grow(n * 16);
          for (int64_t i = 0; i < n; ++i) {
            int64_t v = src[i];
            std::memcpy(dst + i * 16, &v, 8);
            int64_t hi = v < 0 ? -1 : 0;
            std::memcpy(dst + i * 16 + 8, &hi, 8);
          }
          return Status::OK();
        }
        default:
          break;  // int32, uint32, date32: same bytes
      }
      break;
    }
    case PhysicalType::kInt64:
      if (t.id == TypeId::kDecimal128) {
        const int64_t* src = reinterpret_cast<const int64_t*>(in.fixed.data());
        out->width = 16;
        uint8_t* dst = out->fixed.grow(n * 16);
        for (int64_t i = 0; i < n; ++i) {
          int64_t v = src[i], hi = v < 0 ? -1 : 0;
          std::memcpy(dst + i * 16, &v, 8);
          std::memcpy(dst + i * 16 + 8, &hi, 8);
        }
        return Status::OK();
      }
      break;
    case PhysicalType::kInt96: {
      // 8 bytes nanoseconds of the day, then 4 bytes Julian day.
      out->width = 8;
      int64_t* dst = reinterpret_cast<int64_t*>(out->fixed.grow(n * 8));
      for (int64_t i = 0; i < n; ++i) {
        int64_t nanos;
        int32_t jd;
        std::memcpy(&nanos, in.fixed.data() + i * 12, 8);
        std::memcpy(&jd, in.fixed.data() + i * 12 + 8, 4);
        dst[i] = static_cast<int64_t>(static_cast<uint64_t>(int64_t{jd} - 2440588) * 86400000000000ull +
                                      static_cast<uint64_t>(nanos));
      }
      return Status::OK();
    }
    case PhysicalType::kFixedLenByteArray: {
      size_t w = static_cast<size_t>(in.width);
      if (t.id == TypeId::kDecimal128) {
        out->width = 16;
        uint8_t* dst = out->fixed.grow(n * 16);
        for (int64_t i = 0; i < n; ++i) BigEndianToDecimal(in.fixed.data() + i * w, w, dst + i * 16);
        return Status::OK();
      }
      if (t.id == TypeId::kBinary) {
        int64_t* offs = out->offsets.grow(n + 1);
        for (int64_t i = 0; i <= n; ++i) offs[i] = i * static_cast<int64_t>(w);
        out->bytes = std::move(in.fixed);
        return Status::OK();
      }
      break;  // float16
    }
    default:
      break;
  }
  out->width = t.FixedWidth();
  out->fixed = std::move(in.fixed);
  return Status::OK();
}

// Entries of a leaf that are slots of a node: rep <= enclosing_rep and def >= exist_def.
struct Slots {
  bool all = true;               // every entry is a slot (no enclosing list)
  std::vector<int64_t> entries;  // when !all
};

Slots SlotsOf(const ArrowNode& node, const LeafData& leaf) {
  Slots s;
  // Without repetition below the node and no enclosing list, every entry is a slot.
  if (leaf.rep.empty() && node.exist_def == 0) return s;
  s.all = false;
  const int16_t* r = leaf.rep.data();
  const int16_t* d = leaf.def.data();
  for (int64_t i = 0; i < leaf.entries; ++i) {
    if ((!r || r[i] <= node.enclosing_rep) && (!d || d[i] >= node.exist_def)) s.entries.push_back(i);
  }
  return s;
}

// Validity bitmap of slots (def >= valid_def); answers the null count. Empty bitmap when no nulls.
int64_t BuildValidity(const Slots& slots, int64_t length, const LeafData& leaf, int16_t valid_def,
                      PodVector<uint8_t>* bitmap) {
  if (leaf.def.empty() || valid_def == 0) return 0;
  const int16_t* d = leaf.def.data();
  bitmap->resize_zero((length + 7) / 8);
  uint8_t* bits = bitmap->data();
  int64_t valid = 0;
  if (slots.all) {
    // Eight levels to one bitmap byte per step.
    int64_t i = 0;
    for (; i + 8 <= length; i += 8) {
      unsigned b = 0, c = 0;
      for (int j = 0; j < 8; ++j) {
        unsigned ok = d[i + j] >= valid_def;
        b |= ok << j;
        c += ok;
      }
      bits[i >> 3] = static_cast<uint8_t>(b);
      valid += c;
    }
    for (; i < length; ++i) {
      uint8_t ok = d[i] >= valid_def;
      bits[i >> 3] |= ok << (i & 7);
      valid += ok;
    }
  } else {
    for (int64_t i = 0; i < length; ++i) {
      uint8_t ok = d[slots.entries[i]] >= valid_def;
      bits[i >> 3] |= ok << (i & 7);
      valid += ok;
    }
  }
  if (valid == length) bitmap->clear();
  return length - valid;
}

Result<ArrayPtr> Assemble(const ArrowNode& node, const ParquetSchema& schema, std::vector<LeafData>& leaves);

Result<ArrayPtr> AssembleLeaf(const ArrowNode& node, const ParquetSchema& schema, LeafData& leaf) {
  const LeafColumn& col = schema.leaves[node.leaf];
  if (col.type->id == TypeId::kNull) {
    // Every slot is null, as Arrow reads it: the levels give the length, stored values are ignored.
    Slots slots = SlotsOf(node, leaf);
    auto arr = std::make_shared<Array>();
    arr->type = col.type;
    arr->length = slots.all ? leaf.entries : static_cast<int64_t>(slots.entries.size());
    arr->null_count = arr->length;
    return ArrayPtr(std::move(arr));
  }
  ArrowValues vals;
  MHUB_RETURN_IF_ERROR(ConvertValues(col, leaf.values, &vals));
  Slots slots = SlotsOf(node, leaf);
  int64_t length = slots.all ? leaf.entries : static_cast<int64_t>(slots.entries.size());
  auto arr = std::make_shared<Array>();
  arr->type = col.type;
  arr->length = length;
  PodVector<uint8_t> bitmap;
  arr->null_count = BuildValidity(slots, length, leaf, node.valid_def, &bitmap);
  // A spread leaf (column_reader.h) already holds one value per slot.
  if (leaf.spread && !slots.all) return Status::Internal("a spread leaf under a list");
  if (leaf.spread ? vals.count != length : length - arr->null_count != vals.count) {
    return Status::Corruption(std::to_string(vals.count) + " values for " + std::to_string(length - arr->null_count) +
                              " non-null slots");
  }
  const bool dense = arr->null_count == 0 || leaf.spread;
  // With nulls, the dense values spread out to one slot each, in place from the back (the buffers
  // were reserved for the whole range, so this rarely reallocates and never allocates a second
  // column-sized buffer).
  const uint8_t* bits = bitmap.data();
  auto valid = [bits](int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; };
  if (vals.width == 0) {
    if (!dense) {
      // offsets[i + 1] = dense offset after the valid slots <= i; null slots repeat it.
      vals.offsets.resize_uninit(length + 1);
      int64_t* o = vals.offsets.data();
      int64_t k = vals.count;
      for (int64_t i = length - 1; i >= 0; --i) {
        o[i + 1] = o[k];
        k -= valid(i);
      }
    }
    arr->offsets = vals.offsets.Release();
    if (vals.bytes.empty()) vals.bytes.resize_zero(1);  // a non-null data pointer for empty strings
    arr->values = vals.bytes.Release();
  } else if (dense) {
    arr->values = vals.fixed.Release();
  } else {
    const size_t w = static_cast<size_t>(vals.width);
    vals.fixed.resize_uninit(length * w);
    uint8_t* p = vals.fixed.data();
    int64_t k = vals.count;
    auto spread = [&](auto width_tag) {
      constexpr size_t W = decltype(width_tag)::value;
      const size_t ww = W ? W : w;
      for (int64_t i = length - 1; i >= 0; --i) {
        if (valid(i)) {
          --k;
          if (k != i) std::memmove(p + i * ww, p + k * ww, ww);
        } else {
          std::memset(p + i * ww, 0, ww);
        }
      }
    };
    if (w == 8) {
      spread(std::integral_constant<size_t, 8>());
    } else if (w == 4) {
      spread(std::integral_constant<size_t, 4>());
    } else {
      spread(std::integral_constant<size_t, 0>());
    }
    arr->values = vals.fixed.Release();
  }
  arr->validity = bitmap.Release();
  return ArrayPtr(std::move(arr));
}

Result<ArrayPtr> Assemble(const ArrowNode& node, const ParquetSchema& schema, std::vector<LeafData>& leaves) {
  if (node.kind == ArrowNode::kLeaf) {
    Result<ArrayPtr> r = AssembleLeaf(node, schema, leaves[node.leaf]);
    if (!r.ok()) return r.status().WithContext("column '" + schema.leaves[node.leaf].dotted + "'");
    return r;
  }
  const LeafData& first = leaves[node.first_leaf];
  Slots slots = SlotsOf(node, first);
  int64_t length = slots.all ? first.entries : static_cast<int64_t>(slots.entries.size());
  auto arr = std::make_shared<Array>();
  arr->type = node.field.type;
  arr->length = length;
  PodVector<uint8_t> bitmap;
  arr->null_count = BuildValidity(slots, length, first, node.valid_def, &bitmap);
  if (node.kind == ArrowNode::kStruct) {
    for (const ArrowNode& child : node.children) {
      MHUB_ASSIGN_OR_RETURN(ArrayPtr c, Assemble(child, schema, leaves));
      if (c->length != length) {
        return Status::Corruption("column '" + schema.leaves[child.first_leaf].dotted + "' has " +
                                  std::to_string(c->length) + " values where its struct has " + std::to_string(length));
      }
      arr->children.push_back(std::move(c));
    }
  } else {
    // List: count each slot's elements (entries with rep <= elem_rep and def >= elem_def).
    PodVector<int64_t> offs;
    int64_t* o = offs.grow(length + 1);
    o[0] = 0;
    const int16_t* r = first.rep.data();
    const int16_t* d = first.def.data();
    int64_t slot = -1, count = 0;
    for (int64_t i = 0; i < first.entries; ++i) {
      bool is_slot = (r[i] <= node.enclosing_rep) && (!d || d[i] >= node.exist_def);
      if (is_slot) {
        if (slot >= 0) o[slot + 1] = count;
        ++slot;
      }
      if (slot >= 0 && r[i] <= node.elem_rep && (!d || d[i] >= node.elem_def)) ++count;
    }
    if (slot >= 0) o[slot + 1] = count;
    if (slot + 1 != length) return Status::Internal("list slot count mismatch");
    MHUB_ASSIGN_OR_RETURN(ArrayPtr c, Assemble(node.children[0], schema, leaves));
    if (c->length != count) {
      return Status::Corruption("list column '" + schema.leaves[node.first_leaf].dotted + "' has " +
                                std::to_string(c->length) + " elements where its levels say " + std::to_string(count));
    }
    arr->offsets = offs.Release();
    if (length == 0) {
      PodVector<int64_t> zero;
      zero.push_back(0);
      arr->offsets = zero.Release();
    }
    arr->children.push_back(std::move(c));
  }
  arr->validity = bitmap.Release();
  return ArrayPtr(std::move(arr));
}

}  // namespace

Result<ArrayPtr> AssembleColumn(const ArrowNode& node, const ParquetSchema& schema, std::vector<LeafData>& leaves) {
  return Assemble(node, schema, leaves);
}

}  // namespace mhub::datasets::parquet
