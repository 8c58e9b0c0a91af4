// ArrayBuilder: grows the buffers of one Array value by value (or range by range).
//
// Offsets (string/binary/list) are kept as the START of each row; the end of row i is the start of
// row i+1, and Finish appends the final end. That is what lets a list stay "open" after StartList()
// while its elements go to the child builder.
#include <algorithm>
#include <cstring>

#include "datasets/table/half.h"
#include "mhub/datasets/array.h"

namespace mhub::datasets {

struct ArrayBuilder::Impl {
  DataTypePtr type;
  int width = 0;  // FixedWidth()
  int64_t length = 0;
  int64_t null_count = 0;
  std::vector<uint8_t> validity;  // bitmap, always kept; dropped at Finish when there is no null
  std::vector<int64_t> starts;    // string/binary/list: start offset of each row
  std::vector<uint8_t> values;
  std::vector<ArrayBuilder> children;

  explicit Impl(DataTypePtr t) : type(std::move(t)), width(type->FixedWidth()) {
    for (const Field& f : type->children) children.emplace_back(f.type);
  }

  void PushBit(bool valid) {
    if ((length & 7) == 0) validity.push_back(0);
    if (valid)
      validity.back() |= static_cast<uint8_t>(1u << (length & 7));
    else
      ++null_count;
    ++length;
  }
  int64_t ChildEnd() const {
    return type->id == TypeId::kList ? children[0].length() : static_cast<int64_t>(values.size());
  }
};

ArrayBuilder::ArrayBuilder(DataTypePtr type) : impl_(std::make_unique<Impl>(std::move(type))) {}
ArrayBuilder::~ArrayBuilder() = default;
ArrayBuilder::ArrayBuilder(ArrayBuilder&&) noexcept = default;
ArrayBuilder& ArrayBuilder::operator=(ArrayBuilder&&) noexcept = default;

const DataTypePtr& ArrayBuilder::type() const { return impl_->type; }
int64_t ArrayBuilder::length() const { return impl_->length; }

void ArrayBuilder::Reserve(int64_t n) {
  Impl& m = *impl_;
  m.validity.reserve(static_cast<size_t>((m.length + n + 7) / 8));
  if (m.width > 0) m.values.reserve(static_cast<size_t>((m.length + n) * m.width));
  if (m.type->IsVariableWidth() || m.type->id == TypeId::kList) m.starts.reserve(static_cast<size_t>(m.length + n));
  if (m.type->id == TypeId::kStruct)
    for (ArrayBuilder& c : m.children) c.Reserve(n);
}

void ArrayBuilder::AppendNull() {
  Impl& m = *impl_;
  switch (m.type->id) {
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kList:
      m.starts.push_back(m.ChildEnd());
      break;
    case TypeId::kStruct:
      for (ArrayBuilder& c : m.children) c.AppendNull();
      break;
    case TypeId::kNull:
      break;
    default:
      m.values.resize(m.values.size() + static_cast<size_t>(m.width), 0);
      break;
  }
  m.PushBit(false);
}

namespace {
template <typename T>
void PutLE(std::vector<uint8_t>& out, T v) {
  size_t n = out.size();
  out.resize(n + sizeof(T));
  std::memcpy(out.data() + n, &v, sizeof(T));
}
}  // namespace

void ArrayBuilder::AppendBool(bool v) { AppendInt(v ? 1 : 0); }

void ArrayBuilder::AppendInt(int64_t v) {
  Impl& m = *impl_;
  switch (m.type->id) {
    case TypeId::kBool:
      m.values.push_back(v != 0 ? 1 : 0);
      break;
    case TypeId::kInt8:
    case TypeId::kUInt8:
      PutLE(m.values, static_cast<uint8_t>(v));
      break;
    case TypeId::kInt16:
    case TypeId::kUInt16:
      PutLE(m.values, static_cast<uint16_t>(v));
      break;
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kDate32:
      PutLE(m.values, static_cast<uint32_t>(v));
      break;
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kTimestamp:
      PutLE(m.values, static_cast<uint64_t>(v));
      break;
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      AppendDouble(static_cast<double>(v));
      return;
    case TypeId::kDecimal128: {
      uint8_t le[16];
      uint64_t lo = static_cast<uint64_t>(v), hi = v < 0 ? ~uint64_t{0} : 0;
      std::memcpy(le, &lo, 8);
      std::memcpy(le + 8, &hi, 8);
      AppendDecimal(le);
      return;
    }
    default:
      AppendNull();
      return;  // not an integer column: the caller broke the contract
  }
  m.PushBit(true);
}

void ArrayBuilder::AppendUInt(uint64_t v) {
  if (impl_->type->IsFloating()) return AppendDouble(static_cast<double>(v));
  AppendInt(static_cast<int64_t>(v));
}

void ArrayBuilder::AppendDouble(double v) {
  Impl& m = *impl_;
  switch (m.type->id) {
    case TypeId::kFloat16:
      PutLE(m.values, FloatToHalf(static_cast<float>(v)));
      break;
    case TypeId::kFloat32:
      PutLE(m.values, static_cast<float>(v));
      break;
    case TypeId::kFloat64:
      PutLE(m.values, v);
      break;
    default:
      return AppendInt(static_cast<int64_t>(v));
  }
  m.PushBit(true);
}

void ArrayBuilder::AppendBytes(std::string_view v) {
  Impl& m = *impl_;
  if (!m.type->IsVariableWidth()) return AppendNull();
  m.starts.push_back(static_cast<int64_t>(m.values.size()));
  m.values.insert(m.values.end(), v.begin(), v.end());
  m.PushBit(true);
}

void ArrayBuilder::AppendDecimal(const uint8_t le16[16]) { AppendFixedRaw(le16); }

void ArrayBuilder::AppendFixedRaw(const void* bytes) {
  Impl& m = *impl_;
  if (m.width == 0) return AppendNull();
  const auto* p = static_cast<const uint8_t*>(bytes);
  m.values.insert(m.values.end(), p, p + m.width);
  m.PushBit(true);
}

void ArrayBuilder::StartList() {
  Impl& m = *impl_;
  m.starts.push_back(m.children[0].length());
  m.PushBit(true);
}

void ArrayBuilder::AppendStructValid() { impl_->PushBit(true); }

ArrayBuilder& ArrayBuilder::Child(int k) { return impl_->children.at(static_cast<size_t>(k)); }

void ArrayBuilder::AppendFrom(const Array& src, int64_t i) {
  Impl& m = *impl_;
  if (src.IsNull(i)) return AppendNull();
  switch (m.type->id) {
    case TypeId::kNull:
      return AppendNull();
    case TypeId::kString:
    case TypeId::kBinary:
      return AppendBytes(src.Bytes(i));
    case TypeId::kList: {
      StartList();
      const Array& child = *src.children[0];
      for (int64_t j = src.Offset(i), e = src.Offset(i + 1); j < e; ++j) m.children[0].AppendFrom(child, j);
      return;
    }
    case TypeId::kStruct:
      AppendStructValid();
      for (size_t k = 0; k < m.children.size(); ++k) m.children[k].AppendFrom(*src.children[k], i);
      return;
    default:
      return AppendFixedRaw(src.values.data + i * m.width);
  }
}

void ArrayBuilder::AppendRange(const Array& src, int64_t begin, int64_t end) {
  Impl& m = *impl_;
  if (end <= begin) return;
  int64_t n = end - begin;
  // Validity bits (bit by bit; a byte-aligned fast path covers the common case of no nulls).
  if (src.type->id == TypeId::kNull) {
    for (int64_t i = 0; i < n; ++i) AppendNull();
    return;
  }
  for (int64_t i = begin; i < end; ++i) m.PushBit(!src.IsNull(i));
  switch (m.type->id) {
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kList: {
      int64_t base = src.Offset(begin);
      int64_t shift = m.ChildEnd() - base;
      for (int64_t i = begin; i < end; ++i) m.starts.push_back(src.Offset(i) + shift);
      int64_t stop = src.Offset(end);
      if (m.type->id == TypeId::kList) {
        m.children[0].AppendRange(*src.children[0], base, stop);
      } else if (stop > base) {  // (no pointer arithmetic on an empty, possibly null, buffer)
        m.values.insert(m.values.end(), src.values.data + base, src.values.data + stop);
      }
      break;
    }
    case TypeId::kStruct:
      for (size_t k = 0; k < m.children.size(); ++k) m.children[k].AppendRange(*src.children[k], begin, end);
      break;
    default: {
      const uint8_t* p = src.values.data + begin * m.width;
      m.values.insert(m.values.end(), p, p + n * m.width);
      break;
    }
  }
}

Buffer Buffer::FromVector(std::vector<uint8_t> bytes) {
  auto owned = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  Buffer b;
  b.data = owned->data();
  b.size = owned->size();
  b.owner = std::move(owned);
  return b;
}

ArrayPtr ArrayBuilder::Finish() {
  Impl& m = *impl_;
  auto out = std::make_shared<Array>();
  out->type = m.type;
  out->length = m.length;
  out->null_count = m.null_count;
  if (m.type->id != TypeId::kNull && m.null_count > 0) out->validity = Buffer::FromVector(std::move(m.validity));
  switch (m.type->id) {
    case TypeId::kNull:
      break;
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kList: {
      int64_t end = m.ChildEnd();
      std::vector<uint8_t> offs((m.starts.size() + 1) * sizeof(int64_t));
      // offsets[0] is 0 by the layout's rule; the builder starts at 0, so starts[0] == 0 already.
      if (!m.starts.empty()) std::memcpy(offs.data(), m.starts.data(), m.starts.size() * sizeof(int64_t));
      std::memcpy(offs.data() + m.starts.size() * sizeof(int64_t), &end, sizeof(int64_t));
      out->offsets = Buffer::FromVector(std::move(offs));
      if (m.type->id == TypeId::kList)
        out->children.push_back(m.children[0].Finish());
      else
        out->values = Buffer::FromVector(std::move(m.values));
      break;
    }
    case TypeId::kStruct:
      for (ArrayBuilder& c : m.children) out->children.push_back(c.Finish());
      break;
    default:
      out->values = Buffer::FromVector(std::move(m.values));
      break;
  }
  DataTypePtr type = m.type;
  impl_ = std::make_unique<Impl>(std::move(type));
  return out;
}

}  // namespace mhub::datasets
