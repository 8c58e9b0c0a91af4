// Dtype names and sizes against the safetensors spelling (inference.md 1.2).
#include <gtest/gtest.h>

#include <set>

#include "mhub/formats/dtype.h"

namespace mhub::formats {
namespace {

TEST(DtypeTest, NamesRoundTripAndAreDistinct) {
  std::set<std::string_view> names;
  for (Dtype d : AllDtypes()) {
    auto parsed = ParseDtype(DtypeName(d));
    ASSERT_TRUE(parsed.ok()) << DtypeName(d);
    EXPECT_EQ(*parsed, d);
    EXPECT_TRUE(names.insert(DtypeName(d)).second);
  }
  // The full list of the format's dtype strings.
  for (const char* name : {"BOOL",    "F4",          "F6_E2M3",     "F6_E3M2", "U8",  "I8",  "F8_E5M2", "F8_E4M3",
                           "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16",     "U16", "F16", "BF16",    "I32",
                           "U32",     "F32",         "C64",         "F64",     "I64", "U64"}) {
    EXPECT_TRUE(ParseDtype(name).ok()) << name;
  }
  EXPECT_EQ(names.size(), 22u);
}

TEST(DtypeTest, RejectsOtherSpellings) {
  for (const char* name : {"f32", "FLOAT", "", "F8", "Q4_K", "BF16 "}) {
    auto r = ParseDtype(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(DtypeTest, SizesAndAlignmentOrder) {
  EXPECT_EQ(DtypeSizeBits(Dtype::kF4), 4u);
  EXPECT_EQ(DtypeSizeBits(Dtype::kF6E3M2), 6u);
  EXPECT_EQ(DtypeSizeBytes(Dtype::kF4), 0u);
  EXPECT_EQ(DtypeAlignment(Dtype::kF4), 1u);
  EXPECT_EQ(DtypeSizeBytes(Dtype::kBF16), 2u);
  EXPECT_EQ(DtypeSizeBytes(Dtype::kC64), 8u);
  // Declared in increasing alignment order (the writer relies on it).
  size_t previous = 0;
  for (Dtype d : AllDtypes()) {
    EXPECT_GE(DtypeAlignment(d), previous) << DtypeName(d);
    previous = DtypeAlignment(d);
    EXPECT_EQ(DtypeSizeBits(d) % 8 == 0, DtypeSizeBytes(d) * 8 == DtypeSizeBits(d));
  }
}

}  // namespace
}  // namespace mhub::formats
