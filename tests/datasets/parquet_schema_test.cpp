// Parquet schema -> Arrow types and levels, for the nested forms the random oracle files do not
// produce: the backward-compatibility LIST rules of LogicalTypes.md (2-level lists, `array` and
// `<name>_tuple` repeated groups, repeated groups of several fields), bare repeated fields, MAP.
// Expected types and levels are the spec's, written out here.
#include <gtest/gtest.h>

#include "datasets/parquet/schema_build.h"

namespace mhub::datasets::parquet {
namespace {

SchemaElement Group(std::string name, Repetition r, int children, std::optional<ConvertedType> ct = {}) {
  SchemaElement e;
  e.name = std::move(name);
  e.repetition_type = r;
  e.num_children = children;
  e.converted_type = ct;
  return e;
}

SchemaElement Prim(std::string name, Repetition r, PhysicalType t, std::optional<ConvertedType> ct = {}) {
  SchemaElement e;
  e.name = std::move(name);
  e.repetition_type = r;
  e.type = t;
  e.converted_type = ct;
  return e;
}

ParquetSchema Build(std::vector<SchemaElement> fields, int top) {
  FileMetaData m;
  SchemaElement root;
  root.name = "schema";
  root.num_children = top;
  m.schema.push_back(root);
  for (auto& f : fields) m.schema.push_back(std::move(f));
  auto s = BuildSchema(m);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(s).value() : ParquetSchema{};
}

constexpr auto kOpt = Repetition::kOptional;
constexpr auto kReq = Repetition::kRequired;
constexpr auto kRep = Repetition::kRepeated;

TEST(ParquetSchema, TwoLevelListOfPrimitives) {
  // optional group my_list (LIST) { repeated int32 element; }  -> list<int32 not null>
  auto s = Build({Group("my_list", kOpt, 1, ConvertedType::kList), Prim("element", kRep, PhysicalType::kInt32)}, 1);
  ASSERT_EQ(s.leaves.size(), 1u);
  EXPECT_TRUE(s.arrow.fields[0].type->Equals(*List(Int32(), false))) << s.arrow.fields[0].type->ToString();
  EXPECT_EQ(s.leaves[0].max_def, 2);
  EXPECT_EQ(s.leaves[0].max_rep, 1);
}

TEST(ParquetSchema, RepeatedGroupOfSeveralFieldsIsTheElement) {
  // optional group my_list (LIST) { repeated group element { required binary str (UTF8); required int32 num; } }
  auto s = Build(
      {Group("my_list", kOpt, 1, ConvertedType::kList), Group("element", kRep, 2),
       Prim("str", kReq, PhysicalType::kByteArray, ConvertedType::kUtf8), Prim("num", kReq, PhysicalType::kInt32)},
      1);
  auto want = List(Struct({{"str", String(), false}, {"num", Int32(), false}}), false);
  EXPECT_TRUE(s.arrow.fields[0].type->Equals(*want)) << s.arrow.fields[0].type->ToString();
  EXPECT_EQ(s.leaves[1].max_def, 2);
}

TEST(ParquetSchema, ArrayAndTupleNamedGroupsAreTheElement) {
  // repeated group array { required binary str (UTF8); } and repeated group my_list_tuple {...}:
  // one-field structs, not 3-level lists.
  for (std::string name : {"array", "my_list_tuple"}) {
    auto s = Build({Group("my_list", kOpt, 1, ConvertedType::kList), Group(name, kRep, 1),
                    Prim("str", kReq, PhysicalType::kByteArray, ConvertedType::kUtf8)},
                   1);
    auto want = List(Struct({{"str", String(), false}}), false);
    EXPECT_TRUE(s.arrow.fields[0].type->Equals(*want)) << name << ": " << s.arrow.fields[0].type->ToString();
  }
}

TEST(ParquetSchema, ThreeLevelList) {
  // optional group my_list (LIST) { repeated group list { optional binary element (UTF8); } }
  auto s = Build({Group("my_list", kOpt, 1, ConvertedType::kList), Group("list", kRep, 1),
                  Prim("element", kOpt, PhysicalType::kByteArray, ConvertedType::kUtf8)},
                 1);
  EXPECT_TRUE(s.arrow.fields[0].type->Equals(*List(String(), true))) << s.arrow.fields[0].type->ToString();
  EXPECT_EQ(s.leaves[0].max_def, 3);
  EXPECT_EQ(s.leaves[0].max_rep, 1);
  EXPECT_EQ(s.leaves[0].dotted, "my_list.list.element");
}

TEST(ParquetSchema, BareRepeatedFieldIsANonNullList) {
  auto s = Build({Prim("x", kRep, PhysicalType::kInt64)}, 1);
  EXPECT_TRUE(s.arrow.fields[0].type->Equals(*List(Int64(), false))) << s.arrow.fields[0].type->ToString();
  EXPECT_FALSE(s.arrow.fields[0].nullable);
  EXPECT_EQ(s.leaves[0].max_def, 1);
  EXPECT_EQ(s.leaves[0].max_rep, 1);
}

TEST(ParquetSchema, MapIsListOfKeyValueStructs) {
  // optional group m (MAP) { repeated group key_value { required binary key (UTF8); optional int32 value; } }
  auto s = Build(
      {Group("m", kOpt, 1, ConvertedType::kMap), Group("key_value", kRep, 2),
       Prim("key", kReq, PhysicalType::kByteArray, ConvertedType::kUtf8), Prim("value", kOpt, PhysicalType::kInt32)},
      1);
  auto want = List(Struct({{"key", String(), false}, {"value", Int32(), true}}), false);
  EXPECT_TRUE(s.arrow.fields[0].type->Equals(*want)) << s.arrow.fields[0].type->ToString();
  EXPECT_EQ(s.leaves[0].max_def, 2);
  EXPECT_EQ(s.leaves[1].max_def, 3);
}

TEST(ParquetSchema, MalformedTreesAreCorruption) {
  FileMetaData m;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 3;  // only one follows
  m.schema = {root, Prim("a", kOpt, PhysicalType::kInt32)};
  EXPECT_EQ(BuildSchema(m).status().code(), StatusCode::kCorruption);
  root.num_children = 1;
  m.schema = {root, Group("g", kOpt, 0)};
  EXPECT_EQ(BuildSchema(m).status().code(), StatusCode::kCorruption);
  // A chain of 200 nested groups: refused, not a stack overflow.
  m.schema = {root};
  for (int i = 0; i < 200; ++i) m.schema.push_back(Group("g", kOpt, 1));
  m.schema.push_back(Prim("leaf", kOpt, PhysicalType::kInt32));
  EXPECT_EQ(BuildSchema(m).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace mhub::datasets::parquet
