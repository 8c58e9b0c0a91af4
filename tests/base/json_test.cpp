#include "mhub/base/json.h"

#include <gtest/gtest.h>

namespace mhub {
namespace {

TEST(JsonTest, MalformedInputIsInvalidArgumentWithPosition) {
  auto r = ParseJson("{\"a\": [1, 2,", "config.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("config.json"), std::string::npos);
}

TEST(JsonTest, TypedAccessNamesThePath) {
  Json j = *ParseJson(R"({"vocab_size": "big", "n": 3, "name": "x"})");
  auto bad = JsonInt(j, "vocab_size", "config");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "config.vocab_size: expected integer, got string");
  EXPECT_EQ(*JsonInt(j, "n", "config"), 3);
  EXPECT_EQ(*JsonIntOr(j, "missing", "config", 42), 42);
  EXPECT_EQ(*JsonString(j, "name", "config"), "x");
  EXPECT_FALSE(JsonString(j, "missing", "config").ok());
}

TEST(JsonTest, DumpSurvivesInvalidUtf8) {
  Json j = std::string(
      "a\xff"
      "b");
  EXPECT_EQ(DumpJson(j),
            "\"a\xEF\xBF\xBD"
            "b\"");
}

}  // namespace
}  // namespace mhub
