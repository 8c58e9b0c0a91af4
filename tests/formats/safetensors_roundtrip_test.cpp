// Writer + reader: every dtype round-trips, and the byte layout is checked by an independent
// stdlib-only Python reader (tests/clients/formats_read_safetensors.py).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "formats/safetensors_test_util.h"
#include "mhub/base/json.h"
#include "mhub/base/sha256.h"
#include "mhub/formats/safetensors.h"
#include "support/test_support.h"

namespace mhub::formats {
namespace {

using mhub::testing::Python;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;

// Owns the bytes behind the TensorViews given to the writer.
struct TensorSet {
  std::vector<std::string> storage;
  std::vector<TensorView> views;

  void Add(std::string name, Dtype dtype, std::vector<int64_t> shape, int seed) {
    uint64_t nbytes = TensorByteSize(dtype, shape).value();
    std::string bytes(nbytes, '\0');
    for (size_t j = 0; j < bytes.size(); ++j) bytes[j] = static_cast<char>((seed * 31 + j * 7 + 1) & 0xFF);
    storage.push_back(std::move(bytes));
    views.push_back({std::move(name), dtype, std::move(shape), nullptr, nbytes});
  }
  // Call once all tensors are added (storage stops moving).
  std::span<const TensorView> Finish() {
    for (size_t i = 0; i < views.size(); ++i) views[i].data = reinterpret_cast<const uint8_t*>(storage[i].data());
    return views;
  }
};

// One tensor of every dtype, shapes chosen so sub-byte dtypes fill whole bytes.
TensorSet EveryDtype() {
  TensorSet set;
  int seed = 0;
  for (Dtype d : AllDtypes()) {
    std::string name = "t." + std::string(DtypeName(d));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    set.Add(name, d, {2, 4}, ++seed);
  }
  set.Add("scalar", Dtype::kF32, {}, 100);
  set.Add("empty", Dtype::kBF16, {0, 7}, 101);
  set.Add("z.last_u8", Dtype::kU8, {3}, 102);
  return set;
}

TEST(SafetensorsRoundTripTest, EveryDtypeRoundTrips) {
  TempDir dir;
  TensorSet set = EveryDtype();
  auto views = set.Finish();
  const std::string path = dir / "all.safetensors";
  ASSERT_TRUE(WriteSafetensors(path, views, {{"source", "mhub test"}}).ok());

  auto file = SafetensorsFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  const SafetensorsFile& f = **file;
  EXPECT_EQ(f.size(), views.size());
  EXPECT_EQ(f.copied_tensors(), 0u) << "the writer's layout must allow zero-copy views";
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(f.metadata().at("source"), "mhub test");
  for (const TensorView& want : views) {
    SCOPED_TRACE(want.name);
    const TensorView* got = f.Find(want.name);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->dtype, want.dtype);
    EXPECT_EQ(got->shape, want.shape);
    ASSERT_EQ(got->nbytes, want.nbytes);
    EXPECT_EQ(std::memcmp(got->data, want.data, want.nbytes), 0);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(got->data) % DtypeAlignment(got->dtype), 0u);
  }
  EXPECT_EQ(f.Find("nope"), nullptr);
  auto missing = f.Get("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  // The in-memory serialisation is the same bytes.
  auto bytes = SerializeSafetensors(views, {{"source", "mhub test"}});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, mhub::testing::ReadFileOrDie(path));
  auto from_bytes = SafetensorsFile::FromBytes(*bytes);
  ASSERT_TRUE(from_bytes.ok()) << from_bytes.status();
  EXPECT_EQ((*from_bytes)->names(), f.names());
}

TEST(SafetensorsRoundTripTest, IndependentPythonReaderAgreesOnTheLayout) {
  TempDir dir;
  TensorSet set = EveryDtype();
  auto views = set.Finish();
  const std::string path = dir / "all.safetensors";
  ASSERT_TRUE(WriteSafetensors(path, views).ok());

  auto run = RunCommand(Python() + " " + ShellQuote(SourceDir() + "/tests/clients/formats_read_safetensors.py") + " " +
                        ShellQuote(path));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto parsed = ParseJson(run.out);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << run.out;
  const Json& py = *parsed;
  EXPECT_TRUE(py["errors"].empty()) << py["errors"].dump();
  EXPECT_TRUE(py["header_padded_to_8"].get<bool>());
  EXPECT_EQ(py["header_first_byte"], "{");
  EXPECT_EQ(py["metadata"], Json({{"format", "pt"}}));
  ASSERT_EQ(py["tensors"].size(), views.size());

  Dtype previous_dtype = Dtype::kU64;
  std::string previous_name;
  for (size_t i = 0; i < py["tensors"].size(); ++i) {
    const Json& t = py["tensors"][i];
    const std::string name = t["name"].get<std::string>();
    SCOPED_TRACE(name);
    auto it = std::find_if(views.begin(), views.end(), [&](const TensorView& v) { return v.name == name; });
    ASSERT_NE(it, views.end());
    EXPECT_EQ(t["dtype"], std::string(DtypeName(it->dtype)));
    EXPECT_EQ(t["shape"].get<std::vector<int64_t>>(), it->shape);
    EXPECT_EQ(t["sha256"], Sha256Hex({reinterpret_cast<const char*>(it->data), it->nbytes}));
    // Reference writer order: dtype descending, then name; so each tensor starts aligned.
    EXPECT_LE(it->dtype, previous_dtype);
    if (it->dtype == previous_dtype) {
      EXPECT_LT(previous_name, name);
    }
    previous_dtype = it->dtype;
    previous_name = name;
    EXPECT_EQ(t["abs_offset"].get<uint64_t>() % DtypeAlignment(it->dtype), 0u);
  }
}

TEST(SafetensorsRoundTripTest, MisalignedTensorsAreCopiedAligned) {
  // A U8 tensor of 1 byte first and an unpadded header: the F32 after it is misaligned.
  const std::string header =
      R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})";
  float values[2] = {1.5f, -2.25f};
  std::string data = "\x07" + std::string(reinterpret_cast<const char*>(values), 8);
  std::string file = testing::RawSafetensors(header, data);
  auto f = SafetensorsFile::FromBytes(file, "misaligned");
  ASSERT_TRUE(f.ok()) << f.status();
  const TensorView* b = (*f)->Find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b->data) % alignof(float), 0u);
  float got[2];
  std::memcpy(got, b->data, 8);
  EXPECT_EQ(got[0], 1.5f);
  EXPECT_EQ(got[1], -2.25f);
  EXPECT_GE((*f)->copied_tensors(), 1u);
}

TEST(SafetensorsRoundTripTest, WriterRejectsBadInput) {
  std::string four(4, 'x');
  auto data = reinterpret_cast<const uint8_t*>(four.data());
  std::vector<TensorView> dup = {{"w", Dtype::kF32, {1}, data, 4}, {"w", Dtype::kF32, {1}, data, 4}};
  EXPECT_EQ(SerializeSafetensors(dup).status().code(), StatusCode::kInvalidArgument);
  std::vector<TensorView> wrong_size = {{"w", Dtype::kF32, {2}, data, 4}};
  EXPECT_THAT(SerializeSafetensors(wrong_size).status().message(), ::testing::HasSubstr("needs 8"));
  std::vector<TensorView> reserved = {{"__metadata__", Dtype::kU8, {4}, data, 4}};
  EXPECT_EQ(SerializeSafetensors(reserved).status().code(), StatusCode::kInvalidArgument);
  std::vector<TensorView> negative = {{"w", Dtype::kU8, {-4}, data, 4}};
  EXPECT_EQ(SerializeSafetensors(negative).status().code(), StatusCode::kInvalidArgument);

  // A failed write leaves the old file alone and no temp file behind.
  TempDir dir;
  const std::string path = dir / "keep.safetensors";
  mhub::testing::WriteFileOrDie(path, "old");
  EXPECT_FALSE(WriteSafetensors(path, dup).ok());
  EXPECT_EQ(mhub::testing::ReadFileOrDie(path), "old");
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);
}

TEST(SafetensorsRoundTripTest, CallerFormatIsKept) {
  std::vector<TensorView> none;
  auto bytes = SerializeSafetensors(none, {{"format", "mlx"}});
  ASSERT_TRUE(bytes.ok());
  auto f = SafetensorsFile::FromBytes(*bytes);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->metadata().at("format"), "mlx");
  EXPECT_EQ((*f)->header().header_size % 8, 0u);
}

}  // namespace
}  // namespace mhub::formats
