#include "datasets/pq_write_random.h"

#include <cmath>
#include <cstring>

namespace mhub::datasets::testing {

namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

struct Bits {
  std::vector<uint8_t> bytes;
  int64_t nulls = 0;
  void Set(int64_t i, bool valid) {
    if (bytes.size() <= static_cast<size_t>(i >> 3)) bytes.resize(static_cast<size_t>(i >> 3) + 1, 0);
    if (valid)
      bytes[i >> 3] |= static_cast<uint8_t>(1 << (i & 7));
    else
      ++nulls;
  }
};

template <typename T>
void Put(std::vector<uint8_t>* v, T x) {
  size_t at = v->size();
  v->resize(at + sizeof(T));
  std::memcpy(v->data() + at, &x, sizeof(T));
}

const char* const kPieces[] = {"a", "b", "z", "é", "日本", "😀", " ", "\n", "\"", "\\", "0", "ÿ", "\x7f"};

}  // namespace

Buffer VectorBuffer(std::vector<uint8_t> bytes) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  Buffer b;
  b.data = owner->data();
  b.size = owner->size();
  b.owner = owner;
  return b;
}

DataTypePtr RandomTableMaker::RandomLeafType() {
  switch (std::uniform_int_distribution<int>(0, 21)(rng_)) {
    case 0:
      return Bool();
    case 1:
      return Int8();
    case 2:
      return Int16();
    case 3:
      return Int32();
    case 4:
      return Int64();
    case 5:
      return UInt8();
    case 6:
      return UInt16();
    case 7:
      return UInt32();
    case 8:
      return UInt64();
    case 9:
      return Float16();
    case 10:
      return Float32();
    case 11:
      return Float64();
    case 12:
    case 13:
      return String();
    case 14:
      return Binary();
    case 15:
      return Date32();
    case 16:
    case 17: {
      TimeUnit u = static_cast<TimeUnit>(std::uniform_int_distribution<int>(0, 3)(rng_));
      return Timestamp(u, rng_() % 2 ? "UTC" : "");
    }
    case 18:
    case 19: {
      int p = std::uniform_int_distribution<int>(1, 38)(rng_);
      return Decimal128(p, std::uniform_int_distribution<int>(0, p)(rng_));
    }
    case 20:
      return Null();
    default:
      return String();
  }
}

DataTypePtr RandomTableMaker::RandomType(int depth, const RandomTableSpec& spec) {
  int pick = std::uniform_int_distribution<int>(0, 9)(rng_);
  if (!spec.allow_nested || depth >= spec.max_depth || pick < 6) return RandomLeafType();
  if (pick < 8) return List(RandomType(depth + 1, spec), rng_() % 3 != 0);
  std::vector<Field> fields;
  int n = std::uniform_int_distribution<int>(1, 3)(rng_);
  for (int i = 0; i < n; ++i) {
    fields.push_back({"f" + std::to_string(i), RandomType(depth + 1, spec), rng_() % 3 != 0});
  }
  return Struct(std::move(fields));
}

Schema RandomTableMaker::RandomSchema(const RandomTableSpec& spec) {
  Schema s;
  for (int i = 0; i < spec.columns; ++i) {
    s.fields.push_back({"c" + std::to_string(i), RandomType(0, spec), rng_() % 4 != 0});
  }
  return s;
}

Table RandomTableMaker::RandomRows(const Schema& schema, int64_t rows, double null_rate) {
  Table t;
  t.schema = schema;
  t.num_rows = rows;
  for (const Field& f : schema.fields) t.columns.push_back(RandomArray(f, rows, null_rate));
  return t;
}

ArrayPtr RandomTableMaker::RandomArray(const Field& field, int64_t n, double null_rate) {
  auto a = std::make_shared<Array>();
  const DataType& t = *field.type;
  a->type = field.type;
  a->length = n;
  if (t.id == TypeId::kNull) {
    a->null_count = n;
    return a;
  }
  std::bernoulli_distribution null_dist(field.nullable ? null_rate : 0.0);
  Bits valid;
  for (int64_t i = 0; i < n; ++i) valid.Set(i, !null_dist(rng_));
  if (n == 0) valid.bytes.clear();
  a->null_count = valid.nulls;
  if (valid.nulls > 0) a->validity = VectorBuffer(valid.bytes);
  auto is_valid = [&](int64_t i) { return ((valid.bytes[i >> 3] >> (i & 7)) & 1) != 0; };
  // Low-cardinality columns reuse a few values (dictionary pages); others are mostly distinct.
  bool low_card = rng_() % 2 == 0;
  std::vector<uint64_t> pool;
  for (int k = 0; k < 5; ++k) pool.push_back(rng_());
  auto raw = [&]() { return low_card ? pool[rng_() % pool.size()] : rng_(); };

  std::vector<uint8_t> values;
  switch (t.id) {
    case TypeId::kBool:
      for (int64_t i = 0; i < n; ++i) values.push_back(is_valid(i) ? raw() & 1 : 0);
      break;
    case TypeId::kInt8:
    case TypeId::kUInt8:
    case TypeId::kInt16:
    case TypeId::kUInt16:
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kFloat16: {
      int w = t.FixedWidth();
      for (int64_t i = 0; i < n; ++i) {
        uint64_t v = is_valid(i) ? raw() : 0;
        if (rng_() % 8 == 0 && is_valid(i)) v = rng_() % 2 ? 0 : ~0ULL;  // the extremes of the range
        for (int b = 0; b < w; ++b) values.push_back(static_cast<uint8_t>(v >> (8 * b)));
      }
      break;
    }
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      const double specials[] = {0.0, -0.0, 1.0, -1.5, INFINITY, -INFINITY, std::nan(""), 1e-310, 3.4e38, -2.5e-45};
      for (int64_t i = 0; i < n; ++i) {
        double d = 0;
        if (is_valid(i)) {
          uint64_t r = raw();
          if (r % 6 == 0)
            d = specials[(r >> 8) % 10];
          else
            d = std::ldexp(static_cast<double>(r >> 11) / 9007199254740992.0 - 0.5, static_cast<int>(r % 80) - 40);
        }
        if (t.id == TypeId::kFloat32)
          Put(&values, static_cast<float>(d));
        else
          Put(&values, d);
      }
      break;
    }
    case TypeId::kDate32:
      for (int64_t i = 0; i < n; ++i) Put(&values, is_valid(i) ? static_cast<int32_t>(raw() % 2000001) - 1000000 : 0);
      break;
    case TypeId::kTimestamp: {
      // timestamp[s] goes to the file in milliseconds: keep it where *1000 fits.
      int64_t range = t.unit == TimeUnit::kSecond ? 4000000000000LL : 4000000000000000000LL;
      for (int64_t i = 0; i < n; ++i) {
        int64_t v = is_valid(i) ? static_cast<int64_t>(raw() % static_cast<uint64_t>(2 * range)) - range : 0;
        Put(&values, v);
      }
      break;
    }
    case TypeId::kDecimal128: {
      UInt128 limit = 1;
      for (int k = 0; k < t.precision; ++k) limit *= 10;
      for (int64_t i = 0; i < n; ++i) {
        Int128 v = 0;
        if (is_valid(i)) {
          uint64_t r1 = raw(), r2 = low_card ? r1 * 31 : rng_();
          UInt128 u = ((static_cast<UInt128>(r1) << 64) | r2) % limit;
          if (rng_() % 10 == 0) u = limit - 1;  // the largest magnitude the precision allows
          v = (r1 & 1) ? -static_cast<Int128>(u) : static_cast<Int128>(u);
        }
        Put(&values, v);
      }
      break;
    }
    case TypeId::kString:
    case TypeId::kBinary: {
      std::vector<int64_t> offsets = {0};
      for (int64_t i = 0; i < n; ++i) {
        if (is_valid(i)) {
          std::mt19937_64 local(raw());  // same seed, same value: low-cardinality repeats
          int len = static_cast<int>(local() % 14);
          for (int k = 0; k < len; ++k) {
            if (t.id == TypeId::kString) {
              const char* p = kPieces[local() % (sizeof(kPieces) / sizeof(kPieces[0]))];
              values.insert(values.end(), p, p + std::strlen(p));
            } else {
              values.push_back(static_cast<uint8_t>(local()));
            }
          }
        }
        offsets.push_back(static_cast<int64_t>(values.size()));
      }
      std::vector<uint8_t> off(offsets.size() * 8);
      std::memcpy(off.data(), offsets.data(), off.size());
      a->offsets = VectorBuffer(std::move(off));
      break;
    }
    case TypeId::kList: {
      std::vector<int64_t> offsets = {0};
      int64_t total = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (is_valid(i)) total += static_cast<int64_t>(rng_() % 5);  // 0 = an empty list
        offsets.push_back(total);
      }
      std::vector<uint8_t> off(offsets.size() * 8);
      std::memcpy(off.data(), offsets.data(), off.size());
      a->offsets = VectorBuffer(std::move(off));
      Field element = t.children[0];
      a->children.push_back(RandomArray(element, total, null_rate));
      return a;
    }
    case TypeId::kStruct:
      for (const Field& f : t.children) a->children.push_back(RandomArray(f, n, null_rate));
      return a;
    default:
      break;
  }
  a->values = VectorBuffer(std::move(values));
  return a;
}

}  // namespace mhub::datasets::testing
