#include "mhub/base/status.h"
#include "mhub/base/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace mhub {
namespace {

TEST(StatusTest, OkHasNoMessage) {
  Status st;
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kOk);
  EXPECT_EQ(st.ToString(), "OK");
}

TEST(StatusTest, ContextChainsOutward) {
  Status st = Status::NotFound("merges[12] names unknown token 'xyz'").WithContext("while loading tokenizer.json");
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "while loading tokenizer.json: merges[12] names unknown token 'xyz'");
  EXPECT_EQ(st.ToString(), "NotFound: while loading tokenizer.json: merges[12] names unknown token 'xyz'");
  EXPECT_TRUE(Status::OK().WithContext("x").ok());
}

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  MHUB_ASSIGN_OR_RETURN(int h, Half(x));
  MHUB_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(ResultTest, ValueOrStatusPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_EQ(r.value_or(-1), -1);
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace mhub
