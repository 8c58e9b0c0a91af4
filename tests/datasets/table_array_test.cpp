// ArrayBuilder / Array::Validate / Slice / Take / Concatenate: built arrays validate, every copy
// operation agrees row by row with reading the source, and each broken layout rule is caught.
#include <gtest/gtest.h>

#include <random>

#include "mhub/datasets/array.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {
namespace {

// A type exercising every storage kind, nested: struct<i8, u64, f16, f32, f64, b, s, bin, d, ts, dec,
// list<struct<x: int32, tags: list<string>>>, n: null>.
DataTypePtr RichType() {
  return Struct({
      {"i8", Int8()},
      {"u64", UInt64()},
      {"f16", Float16()},
      {"f32", Float32()},
      {"f64", Float64()},
      {"b", Bool()},
      {"s", String()},
      {"bin", Binary()},
      {"d", Date32()},
      {"ts", Timestamp(TimeUnit::kMicro, "UTC")},
      {"dec", Decimal128(12, 3)},
      {"items", List(Struct({{"x", Int32()}, {"tags", List(String())}}))},
      {"n", Null()},
  });
}

// A random Value fitting `type` (about 1 in 5 null at every level).
Value RandomValue(const DataType& type, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> pct(0, 99);
  if (pct(rng) < 20 || type.id == TypeId::kNull) return Value();
  switch (type.id) {
    case TypeId::kInt8:
      return Value::Int(static_cast<int8_t>(rng()));
    case TypeId::kUInt64:
      return Value::UInt(rng());
    case TypeId::kInt32:
      return Value::Int(static_cast<int32_t>(rng()));
    case TypeId::kFloat16:
      return Value::Double(static_cast<double>(static_cast<int>(rng() % 2048)) / 8);  // exact in half
    case TypeId::kFloat32:
      return Value::Double(static_cast<float>(static_cast<int32_t>(rng())) / 1024.0f);
    case TypeId::kFloat64:
      return Value::Double(std::uniform_real_distribution<double>(-1e6, 1e6)(rng));
    case TypeId::kBool:
      return Value::Bool(rng() & 1);
    case TypeId::kString: {
      static const char* kWords[] = {"", "a", "héllo", "日本", "tab\there", "quote\"", "emoji 🙂"};
      return Value::String(kWords[rng() % 7]);
    }
    case TypeId::kBinary: {
      std::string s(rng() % 9, '\0');
      for (char& c : s) c = static_cast<char>(rng());
      return Value::Binary(s);
    }
    case TypeId::kDate32: {
      std::uniform_int_distribution<int> days(-700000, 2900000);  // years 53 .. 9909
      int d = days(rng);
      ArrayBuilder b(Date32());
      b.AppendInt(d);
      return GetValue(*b.Finish(), 0);
    }
    case TypeId::kTimestamp: {
      ArrayBuilder b(Timestamp(type.unit, type.timezone));  // years 1 .. 9999
      b.AppendInt(static_cast<int64_t>(rng() % 300000000000000000ULL) - 60000000000000000LL);
      return GetValue(*b.Finish(), 0);
    }
    case TypeId::kDecimal128: {
      ArrayBuilder b(Decimal128(type.precision, type.scale));
      b.AppendInt(static_cast<int64_t>(rng() % 2000000000000ULL) - 1000000000000LL + 1);
      return GetValue(*b.Finish(), 0);
    }
    case TypeId::kList: {
      Value::List items;
      for (int k = static_cast<int>(rng() % 4); k > 0; --k) items.push_back(RandomValue(*type.element(), rng));
      return Value::MakeList(std::move(items));
    }
    case TypeId::kStruct: {
      Value::Struct fields;
      for (const Field& f : type.children) fields.emplace_back(f.name, RandomValue(*f.type, rng));
      return Value::MakeStruct(std::move(fields));
    }
    default:
      return Value();
  }
}

struct Column {
  std::vector<Value> values;
  ArrayPtr array;
};

Column RandomColumn(const DataTypePtr& type, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Column c;
  ArrayBuilder b(type);
  for (int64_t i = 0; i < n; ++i) {
    c.values.push_back(RandomValue(*type, rng));
    Status st = AppendValue(b, c.values.back());
    EXPECT_TRUE(st.ok()) << st << " row " << i;
  }
  c.array = b.Finish();
  return c;
}

TEST(ArrayBuilder, EveryTypeRoundTripsThroughValues) {
  Column c = RandomColumn(RichType(), 500, 1);
  ASSERT_TRUE(c.array->Validate().ok()) << c.array->Validate();
  ASSERT_EQ(c.array->length, 500);
  int64_t nulls = 0;
  for (int64_t i = 0; i < 500; ++i) {
    nulls += c.values[static_cast<size_t>(i)].is_null();
    Value got = GetValue(*c.array, i);
    // A struct Value read back lists every field; the null struct reads back as null.
    EXPECT_EQ(got, c.values[static_cast<size_t>(i)])
        << i << ": " << got.ToJson() << " vs " << c.values[static_cast<size_t>(i)].ToJson();
  }
  EXPECT_EQ(c.array->null_count, nulls);
}

TEST(ArrayBuilder, AppendFromAndRangeCopyRows) {
  Column c = RandomColumn(RichType(), 300, 2);
  ArrayBuilder by_row(RichType()), by_range(RichType());
  for (int64_t i = 0; i < 300; ++i) by_row.AppendFrom(*c.array, i);
  by_range.AppendRange(*c.array, 0, 100);
  by_range.AppendRange(*c.array, 100, 300);
  ArrayPtr a = by_row.Finish(), b = by_range.Finish();
  ASSERT_TRUE(a->Validate().ok()) << a->Validate();
  ASSERT_TRUE(b->Validate().ok()) << b->Validate();
  for (int64_t i = 0; i < 300; ++i) {
    EXPECT_EQ(GetValue(*a, i), c.values[static_cast<size_t>(i)]);
    EXPECT_EQ(GetValue(*b, i), c.values[static_cast<size_t>(i)]);
  }
}

TEST(ArrayBuilder, FinishLeavesAnEmptyBuilderOfTheSameType) {
  ArrayBuilder b(List(Int64()));
  b.StartList();
  b.Child(0).AppendInt(1);
  ArrayPtr first = b.Finish();
  EXPECT_EQ(b.length(), 0);
  b.AppendNull();
  b.StartList();
  ArrayPtr second = b.Finish();
  ASSERT_TRUE(second->Validate().ok());
  EXPECT_EQ(second->length, 2);
  EXPECT_TRUE(second->IsNull(0));
  EXPECT_EQ(GetValue(*second, 1).ToJson(), "[]");
  EXPECT_EQ(GetValue(*first, 0).ToJson(), "[1]");
}

TEST(SliceTake, AgreeWithRowReads) {
  Column c = RandomColumn(RichType(), 400, 3);
  for (auto [b, e] :
       std::vector<std::pair<int64_t, int64_t>>{{0, 0}, {0, 400}, {7, 9}, {13, 301}, {399, 400}, {350, 999}}) {
    ArrayPtr s = SliceArray(*c.array, b, e);
    ASSERT_TRUE(s->Validate().ok()) << s->Validate();
    int64_t want = std::min<int64_t>(e, 400) - b;
    ASSERT_EQ(s->length, want);
    for (int64_t i = 0; i < want; ++i) EXPECT_EQ(GetValue(*s, i), c.values[static_cast<size_t>(b + i)]);
  }
  std::vector<int64_t> idx = {399, 0, 5, 5, 200, -1, 400, 17};
  ArrayPtr t = TakeArray(*c.array, idx);
  ASSERT_TRUE(t->Validate().ok()) << t->Validate();
  for (size_t k = 0; k < idx.size(); ++k) {
    Value want = idx[k] < 0 || idx[k] >= 400 ? Value() : c.values[static_cast<size_t>(idx[k])];
    EXPECT_EQ(GetValue(*t, static_cast<int64_t>(k)), want);
  }
}

TEST(Table, SliceTakeConcatenateValidate) {
  Column a = RandomColumn(List(String()), 120, 4);
  Column b = RandomColumn(Int64(), 120, 5);
  Table t;
  t.schema.fields = {{"tags", List(String())}, {"n", Int64()}};
  t.columns = {a.array, b.array};
  t.num_rows = 120;
  ASSERT_TRUE(t.Validate().ok());
  std::vector<Table> parts = {t.Slice(0, 50), t.Slice(50, 51), t.Slice(51, 120)};
  auto joined = Table::Concatenate(parts);
  ASSERT_TRUE(joined.ok()) << joined.status();
  ASSERT_TRUE(joined->Validate().ok()) << joined->Validate();
  ASSERT_EQ(joined->num_rows, 120);
  for (int64_t i = 0; i < 120; ++i) EXPECT_EQ(GetRow(*joined, i), GetRow(t, i));
  std::vector<int64_t> rev;
  for (int64_t i = 119; i >= 0; --i) rev.push_back(i);
  Table r = t.Take(rev);
  for (int64_t i = 0; i < 120; ++i) EXPECT_EQ(GetRow(r, i), GetRow(t, 119 - i));

  Table other = t;
  other.schema.fields[1].type = Int32();
  std::vector<Table> mixed = {t, other};
  EXPECT_EQ(Table::Concatenate(mixed).status().code(), StatusCode::kInvalidArgument);
  Table short_col = t;
  short_col.columns[1] = SliceArray(*b.array, 0, 100);
  EXPECT_EQ(short_col.Validate().code(), StatusCode::kCorruption);
}

// Each broken layout rule is reported as Corruption.
TEST(ArrayValidate, CatchesEveryBrokenRule) {
  auto strings = [] {
    ArrayBuilder b(String());
    b.AppendBytes("ab");
    b.AppendNull();
    b.AppendBytes("cde");
    return std::make_shared<Array>(*b.Finish());
  };
  auto offsets = [](std::vector<int64_t> o) {
    std::vector<uint8_t> bytes(o.size() * 8);
    std::memcpy(bytes.data(), o.data(), bytes.size());
    return Buffer::FromVector(std::move(bytes));
  };
  ASSERT_TRUE(strings()->Validate().ok());
  {
    auto a = strings();
    a->null_count = 0;
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
  }
  {
    auto a = strings();
    a->offsets = offsets({0, 2, 1, 5});
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
  }
  {
    auto a = strings();
    a->offsets = offsets({0, 2, 2, 6});  // past the 5 value bytes
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
  }
  {
    auto a = strings();
    a->offsets = offsets({1, 2, 2, 5});
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
  }
  {
    auto a = strings();
    a->values = Buffer::FromVector({'a', 'b', 0xff, 'd', 'e'});
    a->offsets = offsets({0, 2, 2, 5});
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
    a->type = Binary();  // the same bytes are fine as binary
    EXPECT_TRUE(a->Validate().ok());
  }
  {
    ArrayBuilder b(Bool());
    b.AppendBool(true);
    auto a = std::make_shared<Array>(*b.Finish());
    a->values = Buffer::FromVector({2});
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
  }
  {
    ArrayBuilder b(Int32());
    b.AppendInt(1);
    b.AppendInt(2);
    auto a = std::make_shared<Array>(*b.Finish());
    a->length = 3;  // values hold two
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
  }
  {
    ArrayBuilder b(List(Int32()));
    b.StartList();
    b.Child(0).AppendInt(1);
    auto a = std::make_shared<Array>(*b.Finish());
    a->offsets = offsets({0, 2});  // the child has one element
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
    a->offsets = offsets({0, 1});
    a->children[0] = SliceArray(*a->children[0], 0, 1);
    EXPECT_TRUE(a->Validate().ok());
    ArrayBuilder wrong(Int64());
    wrong.AppendInt(1);
    a->children[0] = wrong.Finish();
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
  }
  {
    ArrayBuilder b(Struct({{"x", Int32()}, {"y", String()}}));
    b.AppendStructValid();
    b.Child(0).AppendInt(1);
    b.Child(1).AppendBytes("q");
    auto a = std::make_shared<Array>(*b.Finish());
    ASSERT_TRUE(a->Validate().ok());
    a->children.pop_back();
    EXPECT_EQ(a->Validate().code(), StatusCode::kCorruption);
  }
  {
    Array n;
    n.type = Null();
    n.length = 3;
    n.null_count = 2;
    EXPECT_EQ(n.Validate().code(), StatusCode::kCorruption);
    n.null_count = 3;
    EXPECT_TRUE(n.Validate().ok());
  }
}

TEST(AppendValue, RefusesWhatDoesNotFit) {
  auto refuse = [](DataTypePtr t, Value v) {
    ArrayBuilder b(t);
    Status st = AppendValue(b, v);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << t->ToString() << " took " << v.ToJson();
    EXPECT_EQ(b.length(), 0) << "a refused value must leave the builder as it was";
  };
  refuse(Int8(), Value::Int(128));
  refuse(Int8(), Value::Int(-129));
  refuse(UInt8(), Value::Int(-1));
  refuse(UInt32(), Value::UInt(1ULL << 32));
  refuse(Int64(), Value::UInt(1ULL << 63));
  refuse(Int64(), Value::String("1"));
  refuse(Int64(), Value::Double(1.5));
  refuse(String(), Value::Int(1));
  refuse(Bool(), Value::Int(2));
  refuse(Date32(), Value::String("2024-02-30"));
  refuse(Timestamp(TimeUnit::kSecond), Value::String("2024-01-01T00:00:00.5"));
  refuse(Timestamp(TimeUnit::kMicro), Value::String("2024-01-01T00:00:00+02:00"));
  refuse(Decimal128(5, 2), Value::String("1234.5"));
  refuse(Decimal128(5, 2), Value::String("1.234"));
  refuse(List(Int8()), Value::MakeList({Value::Int(1), Value::Int(1000)}));
  refuse(List(Int8(), false), Value::MakeList({Value::Int(1), Value()}));
  refuse(Struct({{"a", Int8()}}), Value::MakeStruct({{"b", Value::Int(1)}}));
  refuse(Struct({{"a", Int8()}}), Value::MakeStruct({{"a", Value::String("x")}}));

  ArrayBuilder ok(Int64());
  EXPECT_TRUE(AppendValue(ok, Value::Double(3.0)).ok());  // JSON 3.0 into an int column
  EXPECT_TRUE(AppendValue(ok, Value::UInt(5)).ok());
  EXPECT_TRUE(AppendValue(ok, Value::Bool(true)).ok());
  EXPECT_EQ(GetValue(*ok.Finish(), 2), Value::Int(1));
}

}  // namespace
}  // namespace mhub::datasets
