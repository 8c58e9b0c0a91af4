// One hand-made broken file per validation rule of the reference reader (inference.md 1.3), each
// asserting its own message; plus the valid corner cases the reference accepts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "formats/safetensors_test_util.h"
#include "mhub/formats/safetensors.h"

namespace mhub::formats {
namespace {

using ::testing::HasSubstr;
using testing::LengthPrefix;
using testing::RawSafetensors;

Result<SafetensorsHeader> Parse(const std::string& file) {
  return ParseSafetensorsHeader({reinterpret_cast<const uint8_t*>(file.data()), file.size()}, file.size());
}

// Parses `file`, expects Corruption, and returns the message.
std::string BrokenMessage(const std::string& file) {
  auto r = Parse(file);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status();
  // The file-level API reports the same.
  auto f = SafetensorsFile::FromBytes(file, "case.safetensors");
  EXPECT_FALSE(f.ok());
  if (!f.ok()) {
    EXPECT_EQ(f.status().message(), "case.safetensors: " + r.status().message());
  }
  return r.status().message();
}

const std::string k8Bytes(8, '\0');

struct Case {
  const char* name;
  std::string file;
  const char* rule;    // the reference error name, ends the message in parentheses
  const char* detail;  // what the message must say besides the rule
};

std::vector<Case> BrokenCases() {
  std::vector<Case> cases;
  cases.push_back({"too small", std::string("\x01\x00\x00", 3), "(HeaderTooSmall)", "3 bytes"});
  cases.push_back({"too large", LengthPrefix(100'000'001) + "{}", "(HeaderTooLarge)", "100000001"});
  cases.push_back(
      {"huge length overflowing 8+N", LengthPrefix(~0ULL) + "{}", "(HeaderTooLarge)", "18446744073709551615"});
  cases.push_back({"header past end", LengthPrefix(64) + "{}", "(InvalidHeaderLength)", "runs past the end"});
  cases.push_back({"bad utf8", RawSafetensors("{\"\xff\":1}", ""), "(InvalidHeader)", "byte 0xff at header offset 2"});
  cases.push_back({"overlong utf8", RawSafetensors("{\"\xc0\xaf\":1}", ""), "(InvalidHeader)", "byte 0xc0"});
  cases.push_back({"not json", RawSafetensors("{\"a\":", ""), "(InvalidHeaderDeserialization)", "not valid JSON"});
  cases.push_back({"not an object", RawSafetensors("[1,2]", ""), "(InvalidHeaderDeserialization)",
                   "must be a JSON object, got array"});
  cases.push_back({"duplicate tensor",
                   RawSafetensors(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                                  R"("w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                                  "ab"),
                   "(InvalidHeaderDeserialization)", "repeats the key 'w'"});
  cases.push_back({"metadata value not string", RawSafetensors(R"({"__metadata__":{"format":1}})", ""),
                   "(InvalidHeaderDeserialization)", "__metadata__ value for key 'format' must be a string"});
  cases.push_back({"metadata not object", RawSafetensors(R"({"__metadata__":["pt"]})", ""),
                   "(InvalidHeaderDeserialization)", "__metadata__ must be an object"});
  cases.push_back({"entry not object", RawSafetensors(R"({"w":3})", ""), "(InvalidHeaderDeserialization)",
                   "tensor 'w': entry must be an object"});
  cases.push_back({"missing dtype", RawSafetensors(R"({"w":{"shape":[1],"data_offsets":[0,1]}})", "a"),
                   "(InvalidHeaderDeserialization)", "tensor 'w': \"dtype\" must be a string"});
  cases.push_back({"unknown dtype", RawSafetensors(R"({"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}})", "abcd"),
                   "(InvalidHeaderDeserialization)", "tensor 'w': unknown dtype 'F33'"});
  cases.push_back({"lowercase dtype",
                   RawSafetensors(R"({"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}})", "abcd"),
                   "(InvalidHeaderDeserialization)", "tensor 'w': unknown dtype 'f32'"});
  cases.push_back({"negative dim", RawSafetensors(R"({"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", "a"),
                   "(InvalidHeaderDeserialization)", "tensor 'w': shape[0] = -1 is not a non-negative integer"});
  cases.push_back({"float dim", RawSafetensors(R"({"w":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}})", "a"),
                   "(InvalidHeaderDeserialization)", "tensor 'w': shape[0] = 1.0 is not"});
  cases.push_back({"shape not array", RawSafetensors(R"({"w":{"dtype":"U8","shape":1,"data_offsets":[0,1]}})", "a"),
                   "(InvalidHeaderDeserialization)", "tensor 'w': \"shape\" must be an array"});
  cases.push_back({"three offsets", RawSafetensors(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}})", "a"),
                   "(InvalidHeaderDeserialization)", "tensor 'w': \"data_offsets\" must be [begin, end]"});
  cases.push_back({"first tensor not at 0",
                   RawSafetensors(R"({"w":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})", "abcd"),
                   "(InvalidOffset)", "tensor 'w' starts at 2 but the first tensor must start at 0"});
  cases.push_back({"gap",
                   RawSafetensors(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                                  R"("b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}})",
                                  "abcde"),
                   "(InvalidOffset)", "tensor 'b' starts at 3 but the previous tensor 'a' ends at 2"});
  cases.push_back({"overlap",
                   RawSafetensors(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                                  R"("b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}})",
                                  "abc"),
                   "(InvalidOffset)", "tensor 'b' starts at 1 but the previous tensor 'a' ends at 2"});
  cases.push_back({"end before begin",
                   RawSafetensors(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                                  R"("w":{"dtype":"U8","shape":[1],"data_offsets":[2,1]}})",
                                  "ab"),
                   "(InvalidOffset)", "tensor 'w': data_offsets end 1 is before begin 2"});
  cases.push_back({"empty span for a non-empty tensor",
                   RawSafetensors(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,0]},)"
                                  R"("v":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}})",
                                  ""),
                   "(TensorInvalidInfo)", "tensor 'w': data_offsets [0, 0] hold 0 bytes but U8 [1] needs 1"});
  cases.push_back(
      {"element overflow",
       RawSafetensors(R"({"w":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}})", "abcd"),
       "(ValidationOverflow)", "tensor 'w': element count of shape [1099511627776, 1099511627776] overflows"});
  cases.push_back(
      {"bit size overflow",
       RawSafetensors(R"({"w":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]}})", "abcdefgh"),
       "(ValidationOverflow)", "tensor 'w': bit size of shape [4611686018427387904] x F64 overflows"});
  cases.push_back({"sub-byte not whole bytes",
                   RawSafetensors(R"({"w":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})", "ab"),
                   "(MisalignedSlice)", "tensor 'w': 3 elements of F4 are not a whole number of bytes"});
  cases.push_back({"size mismatch",
                   RawSafetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}})", std::string(12, 'x')),
                   "(TensorInvalidInfo)", "tensor 'w': data_offsets [0, 12] hold 12 bytes but F32 [2] needs 8"});
  cases.push_back({"truncated", RawSafetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "abcd"),
                   "(MetadataIncompleteBuffer)", "truncated"});
  cases.push_back({"trailing bytes",
                   RawSafetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "abcdXY"),
                   "(MetadataIncompleteBuffer)", "2 trailing bytes"});
  return cases;
}

TEST(SafetensorsValidationTest, EachRuleHasItsOwnMessage) {
  std::set<std::string> messages;
  for (const Case& c : BrokenCases()) {
    SCOPED_TRACE(c.name);
    std::string message = BrokenMessage(c.file);
    EXPECT_THAT(message, HasSubstr(c.detail));
    EXPECT_TRUE(message.size() >= strlen(c.rule) &&
                message.compare(message.size() - strlen(c.rule), strlen(c.rule), c.rule) == 0)
        << message << " should end with " << c.rule;
    EXPECT_TRUE(messages.insert(message).second) << "message repeated: " << message;
  }
}

TEST(SafetensorsValidationTest, ReferenceRuleNamesAllCovered) {
  std::set<std::string> rules;
  for (const Case& c : BrokenCases()) rules.insert(c.rule);
  for (const char* rule : {"(HeaderTooSmall)", "(HeaderTooLarge)", "(InvalidHeaderLength)", "(InvalidHeader)",
                           "(InvalidHeaderDeserialization)", "(InvalidOffset)", "(ValidationOverflow)",
                           "(MisalignedSlice)", "(TensorInvalidInfo)", "(MetadataIncompleteBuffer)"}) {
    EXPECT_EQ(rules.count(rule), 1u) << rule;
  }
}

TEST(SafetensorsValidationTest, AcceptsWhatTheReferenceAccepts) {
  // Key order does not matter (sorted by offsets), leading and trailing JSON whitespace, scalars,
  // empty tensors, empty header, null metadata, unknown extra fields in an entry.
  std::string header =
      "   {\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[2,6]},"
      "\"e\":{\"dtype\":\"I64\",\"shape\":[0,3],\"data_offsets\":[2,2]},"
      "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2],\"extra\":true},"
      "\"f4\":{\"dtype\":\"F4\",\"shape\":[2,2],\"data_offsets\":[6,8]},"
      "\"__metadata__\":null}    ";
  auto r = Parse(RawSafetensors(header,
                                "ab"
                                "wxyz"
                                "pq"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->tensors.size(), 4u);
  std::vector<std::string> order;
  for (const auto& t : r->tensors) order.push_back(t.name);
  // [0,2) a, [2,2) e, [2,6) b, [6,8) f4: the data order, not the key order.
  EXPECT_THAT(order, ::testing::ElementsAre("a", "e", "b", "f4"));
  EXPECT_EQ(r->data_size, 8u);
  EXPECT_EQ(r->data_offset, 8 + header.size());
  EXPECT_TRUE(r->metadata.empty());

  // An empty tensor whose leading dims multiply past INT64_MAX (the reference uses usize).
  auto wide = SafetensorsFile::FromBytes(
      RawSafetensors(R"({"z":{"dtype":"U8","shape":[4611686018427387904,2,0],"data_offsets":[0,0]}})", ""));
  ASSERT_TRUE(wide.ok()) << wide.status();
  EXPECT_EQ((*wide)->tensors()[0].numel(), 0);

  auto empty = Parse(RawSafetensors("{}", ""));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->tensors.empty());
}

TEST(SafetensorsValidationTest, NeedsTheWholeHeaderInThePrefix) {
  std::string file = RawSafetensors(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", "a");
  auto r = ParseSafetensorsHeader({reinterpret_cast<const uint8_t*>(file.data()), 20}, file.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  auto whole_header =
      ParseSafetensorsHeader({reinterpret_cast<const uint8_t*>(file.data()), file.size() - 1}, file.size());
  EXPECT_TRUE(whole_header.ok()) << whole_header.status();
}

TEST(SafetensorsValidationTest, OpenReportsMissingFileAsNotFound) {
  auto r = SafetensorsFile::Open("/nonexistent/dir/model.safetensors");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mhub::formats
