// PyTorch (Debian python3-torch) as the oracle for what the bytes mean:
// files written by mhub load into torch with the values mhub meant, and files written from torch
// tensors read back in mhub as the values torch holds (aligned and misaligned layouts).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>

#include "mhub/base/json.h"
#include "mhub/formats/safetensors.h"
#include "support/test_support.h"

namespace mhub::formats {
namespace {

using mhub::testing::Python;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;

std::string TorchScript() {
  return Python() + " " + ShellQuote(SourceDir() + "/tests/clients/formats_torch_safetensors.py");
}

// IEEE half from a float that is exactly representable as a normal half (the test's values are).
uint16_t ExactHalf(float f) {
  uint32_t bits = std::bit_cast<uint32_t>(f);
  uint32_t sign = (bits >> 16) & 0x8000u;
  if ((bits & 0x7FFFFFFFu) == 0) return static_cast<uint16_t>(sign);
  int32_t exponent = static_cast<int32_t>((bits >> 23) & 0xFF) - 127 + 15;
  EXPECT_TRUE(exponent > 0 && exponent < 31 && (bits & 0x1FFFu) == 0) << f << " is not an exact half";
  return static_cast<uint16_t>(sign | (static_cast<uint32_t>(exponent) << 10) | ((bits >> 13) & 0x3FFu));
}

double HalfToDouble(uint16_t h) {
  int sign = (h >> 15) ? -1 : 1;
  int exponent = (h >> 10) & 0x1F;
  int mantissa = h & 0x3FF;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

double Bf16ToDouble(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Element i of `t` as a double (ints and bools too), or NaN for dtypes this test does not decode.
double ValueAt(const TensorView& t, size_t i) {
  const uint8_t* p = t.data;
  switch (t.dtype) {
    case Dtype::kF32:
      return Load<float>(p + 4 * i);
    case Dtype::kF64:
      return Load<double>(p + 8 * i);
    case Dtype::kF16:
      return HalfToDouble(Load<uint16_t>(p + 2 * i));
    case Dtype::kBF16:
      return Bf16ToDouble(Load<uint16_t>(p + 2 * i));
    case Dtype::kI64:
      return static_cast<double>(Load<int64_t>(p + 8 * i));
    case Dtype::kI32:
      return Load<int32_t>(p + 4 * i);
    case Dtype::kI16:
      return Load<int16_t>(p + 2 * i);
    case Dtype::kI8:
      return Load<int8_t>(p + i);
    case Dtype::kU8:
      return p[i];
    case Dtype::kBool:
      return p[i];
    default:
      return NAN;
  }
}

// Tensors mhub writes, with the values they are meant to hold.
struct Written {
  std::vector<std::string> storage;
  std::vector<TensorView> views;
  Json expected = Json::object();

  template <typename T>
  void Add(const std::string& name, Dtype dtype, std::vector<int64_t> shape, const std::vector<T>& raw,
           const std::vector<double>& values) {
    std::string bytes(reinterpret_cast<const char*>(raw.data()), raw.size() * sizeof(T));
    uint64_t nbytes = bytes.size();
    storage.push_back(std::move(bytes));
    expected[name] = {{"dtype", std::string(DtypeName(dtype))}, {"shape", shape}, {"values", values}};
    views.push_back({name, dtype, std::move(shape), nullptr, nbytes});
  }
  std::span<const TensorView> Finish() {
    for (size_t i = 0; i < views.size(); ++i) views[i].data = reinterpret_cast<const uint8_t*>(storage[i].data());
    return views;
  }
};

Written MakeWritten() {
  Written w;
  const int n = 12;
  std::vector<double> fv;
  for (int i = 0; i < n; ++i) fv.push_back((i % 17 - 8) * 0.375);
  std::vector<float> f32(fv.begin(), fv.end());
  std::vector<uint16_t> f16, bf16;
  for (float f : f32) {
    f16.push_back(ExactHalf(f));
    bf16.push_back(static_cast<uint16_t>(std::bit_cast<uint32_t>(f) >> 16));  // exact: low bits are 0
  }
  w.Add("f32", Dtype::kF32, {3, 4}, f32, fv);
  w.Add("f16", Dtype::kF16, {4, 3}, f16, fv);
  w.Add("bf16", Dtype::kBF16, {2, 6}, bf16, fv);
  w.Add("f64", Dtype::kF64, {n}, fv, fv);

  std::vector<int64_t> i64;
  std::vector<int32_t> i32;
  std::vector<int16_t> i16;
  std::vector<int8_t> i8;
  std::vector<uint8_t> u8, b;
  std::vector<double> v64, v32, v16, v8, vu8, vb;
  for (int i = 0; i < n; ++i) {
    int64_t big = (i % 2 ? -1 : 1) * int64_t{1000000007} * i * 1009;
    i64.push_back(big);
    v64.push_back(static_cast<double>(big));
    i32.push_back(static_cast<int32_t>((i % 2 ? -1 : 1) * 123457 * i));
    v32.push_back(i32.back());
    i16.push_back(static_cast<int16_t>(-32768 + 5000 * i));
    v16.push_back(i16.back());
    i8.push_back(static_cast<int8_t>(-128 + 21 * i));
    v8.push_back(i8.back());
    u8.push_back(static_cast<uint8_t>(23 * i));
    vu8.push_back(u8.back());
    b.push_back(i % 3 == 0);
    vb.push_back(b.back());
  }
  w.Add("i64", Dtype::kI64, {n}, i64, v64);
  w.Add("i32", Dtype::kI32, {2, 2, 3}, i32, v32);
  w.Add("i16", Dtype::kI16, {n}, i16, v16);
  w.Add("i8", Dtype::kI8, {n}, i8, v8);
  w.Add("u8", Dtype::kU8, {6, 2}, u8, vu8);
  w.Add("mask", Dtype::kBool, {n}, b, vb);
  w.Add("scalar", Dtype::kF32, {}, std::vector<float>{-7.5f}, {-7.5});
  w.Add("empty", Dtype::kF32, {0, 5}, std::vector<float>{}, {});
  return w;
}

TEST(SafetensorsTorchTest, MhubFilesLoadIntoTorchWithTheSameValues) {
  TempDir dir;
  Written w = MakeWritten();
  auto views = w.Finish();
  ASSERT_TRUE(WriteSafetensors(dir / "mhub.safetensors", views).ok());
  mhub::testing::WriteFileOrDie(dir / "expected.json", w.expected.dump());
  auto run = RunCommand(TorchScript() + " check " + ShellQuote(dir / "mhub.safetensors") + " " +
                        ShellQuote(dir / "expected.json"));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out, "ok " + std::to_string(views.size()) + "\n");
}

TEST(SafetensorsTorchTest, MhubShardsLoadIntoTorch) {
  TempDir dir;
  Written w = MakeWritten();
  auto views = w.Finish();
  ShardedWriteOptions options;
  options.max_shard_bytes = 64;
  auto result = WriteShardedSafetensors(dir.path(), views, options);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_GT(result->shard_files.size(), 2u);
  std::string args;
  size_t count = 0;
  for (const std::string& shard : result->shard_files) {
    auto file = SafetensorsFile::Open(dir / shard);
    ASSERT_TRUE(file.ok()) << file.status();
    Json expected = Json::object();
    for (const std::string& name : (*file)->names()) expected[name] = w.expected[name];
    count += expected.size();
    mhub::testing::WriteFileOrDie(dir / (shard + ".json"), expected.dump());
    args += " " + ShellQuote(dir / shard) + " " + ShellQuote(dir / (shard + ".json"));
  }
  EXPECT_EQ(count, views.size());
  auto run = RunCommand(TorchScript() + " check" + args);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out, "ok " + std::to_string(views.size()) + "\n");
}

void CheckTorchWrittenFile(bool misaligned) {
  TempDir dir;
  auto run = RunCommand(TorchScript() + " write " + ShellQuote(dir / "torch.safetensors") + " " +
                        ShellQuote(dir / "values.json") + (misaligned ? " --misaligned" : ""));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto expected = ParseJson(mhub::testing::ReadFileOrDie(dir / "values.json"));
  ASSERT_TRUE(expected.ok()) << expected.status();

  auto file = SafetensorsFile::Open(dir / "torch.safetensors");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->metadata().at("source"), "torch");
  EXPECT_EQ((*file)->size(), expected->size());
  if (misaligned) {
    EXPECT_GT((*file)->copied_tensors(), 0u);
  }
  for (auto it = expected->begin(); it != expected->end(); ++it) {
    SCOPED_TRACE(it.key());
    const TensorView* t = (*file)->Find(it.key());
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(DtypeName(t->dtype), it.value()["dtype"].get<std::string>());
    EXPECT_EQ(t->shape, it.value()["shape"].get<std::vector<int64_t>>());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t->data) % DtypeAlignment(t->dtype), 0u);
    const auto& values = it.value()["values"];
    ASSERT_EQ(static_cast<size_t>(t->numel()), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_EQ(ValueAt(*t, i), values[i].get<double>()) << "element " << i;
    }
  }
}

TEST(SafetensorsTorchTest, TorchWrittenFileReadsAsTorchValues) { CheckTorchWrittenFile(false); }

TEST(SafetensorsTorchTest, MisalignedTorchWrittenFileReadsAsTorchValues) { CheckTorchWrittenFile(true); }

}  // namespace
}  // namespace mhub::formats
