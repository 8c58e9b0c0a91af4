// Value's JSON form and the temporal/decimal/half conversions, against Python (datetime, decimal,
// json) and numpy (float16, datetime64) computing the same values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "mhub/datasets/array.h"
#include "mhub/datasets/value.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

// Runs a Python script with `input` on stdin; its stdout lines.
std::vector<std::string> Python(const std::string& script, const std::string& input) {
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "oracle.py", script);
  testing::CommandResult r =
      testing::RunCommand(testing::Python() + " " + testing::ShellQuote(dir / "oracle.py"), input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string JoinLines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

TEST(ValueOracle, DatesAndTimestampsMatchNumpy) {
  std::mt19937_64 rng(11);
  struct Case {
    TimeUnit unit;
    const char* numpy_unit;
    int64_t lo, hi;  // years ~ 1 .. 9999 in that unit, and around the epoch
  };
  const Case cases[] = {{TimeUnit::kSecond, "s", -62135596800LL, 253402300799LL},
                        {TimeUnit::kMilli, "ms", -62135596800000LL, 253402300799999LL},
                        {TimeUnit::kMicro, "us", -62135596800000000LL, 253402300799999999LL},
                        {TimeUnit::kNano, "ns", INT64_MIN / 2, INT64_MAX / 2}};
  for (const Case& c : cases) {
    std::vector<int64_t> values = {0, -1, 1, c.lo, c.hi};
    for (int i = 0; i < 300; ++i) values.push_back(std::uniform_int_distribution<int64_t>(c.lo, c.hi)(rng));
    for (int i = 0; i < 50; ++i) values.push_back(std::uniform_int_distribution<int64_t>(-100000, 100000)(rng));
    std::vector<std::string> in;
    ArrayBuilder b(Timestamp(c.unit));
    for (int64_t v : values) {
      in.push_back(std::to_string(v));
      b.AppendInt(v);
    }
    auto want =
        Python("import sys, numpy as np\nfor l in sys.stdin: print(np.datetime_as_string(np.datetime64(int(l), '" +
                   std::string(c.numpy_unit) + "')))\n",
               JoinLines(in));
    ArrayPtr a = b.Finish();
    ASSERT_EQ(want.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(GetValue(*a, static_cast<int64_t>(i)).as_string(), want[i]) << values[i] << " " << c.numpy_unit;
      // ... and the text parses back to the same value.
      ArrayBuilder back(Timestamp(c.unit));
      ASSERT_TRUE(AppendValue(back, Value::String(want[i])).ok()) << want[i];
      EXPECT_EQ(back.Finish()->Value<int64_t>(0), values[i]);
    }
  }
  // UTC-adjusted timestamps end in Z.
  ArrayBuilder utc(Timestamp(TimeUnit::kMilli, "UTC"));
  utc.AppendInt(1500);
  EXPECT_EQ(GetValue(*utc.Finish(), 0).as_string(), "1970-01-01T00:00:01.500Z");

  std::vector<std::string> in;
  std::vector<int32_t> days = {0, -1, 1, -719162, 2932896, 11016, -25567};
  for (int i = 0; i < 300; ++i) days.push_back(std::uniform_int_distribution<int32_t>(-719162, 2932896)(rng));
  ArrayBuilder db(Date32());
  for (int32_t d : days) {
    in.push_back(std::to_string(d));
    db.AppendInt(d);
  }
  auto want = Python(
      "import sys, datetime\nfor l in sys.stdin: "
      "print((datetime.date(1970,1,1)+datetime.timedelta(days=int(l))).isoformat())\n",
      JoinLines(in));
  ArrayPtr da = db.Finish();
  ASSERT_EQ(want.size(), days.size());
  for (size_t i = 0; i < days.size(); ++i) {
    EXPECT_EQ(GetValue(*da, static_cast<int64_t>(i)).as_string(), want[i]);
    ArrayBuilder back(Date32());
    ASSERT_TRUE(AppendValue(back, Value::String(want[i])).ok());
    EXPECT_EQ(back.Finish()->Value<int32_t>(0), days[i]);
  }
}

TEST(ValueOracle, DecimalsMatchPythonDecimal) {
  std::mt19937_64 rng(12);
  std::vector<std::string> in;
  struct D {
    int64_t hi;
    uint64_t lo;
    int scale;
  };
  std::vector<D> cases = {{0, 0, 2}, {0, 5, 3}, {-1, ~0ULL, 3}, {0, 123456789, 0}, {-1, 0, 4}, {0, 1, 20}};
  for (int i = 0; i < 300; ++i) {
    int64_t hi = static_cast<int64_t>(rng()) >> (rng() % 64);
    cases.push_back({hi, rng(), static_cast<int>(rng() % 30)});
  }
  for (const D& d : cases)
    in.push_back(std::to_string(d.hi) + " " + std::to_string(d.lo) + " " + std::to_string(d.scale));
  auto want = Python(
      "import sys, decimal\ndecimal.getcontext().prec = 60\n"
      "for l in sys.stdin:\n  hi, lo, s = map(int, l.split())\n"
      "  print(format(decimal.Decimal(hi * 2**64 + lo).scaleb(-s), 'f'))\n",
      JoinLines(in));
  ASSERT_EQ(want.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    ArrayBuilder b(Decimal128(38, cases[i].scale));
    uint8_t le[16];
    std::memcpy(le, &cases[i].lo, 8);
    std::memcpy(le + 8, &cases[i].hi, 8);
    b.AppendDecimal(le);
    ArrayPtr a = b.Finish();
    std::string got = GetValue(*a, 0).as_string();
    EXPECT_EQ(got, want[i]);
    ArrayBuilder back(Decimal128(38, cases[i].scale));
    Status st = AppendValue(back, Value::String(got));
    if (want[i].size() - (want[i][0] == '-') - (cases[i].scale > 0) <= 38) {
      ASSERT_TRUE(st.ok()) << st << " " << got;
      EXPECT_EQ(std::memcmp(back.Finish()->values.data, le, 16), 0) << got;
    }
  }
}

TEST(ValueOracle, Float16MatchesNumpy) {
  // Every half bit pattern widened, and floats (random, ties, overflow, subnormals) narrowed.
  ArrayBuilder halves(Float16());
  for (uint32_t h = 0; h < 65536; ++h) {
    uint16_t bits = static_cast<uint16_t>(h);
    halves.AppendFixedRaw(&bits);
  }
  ArrayPtr ha = halves.Finish();
  std::vector<float> floats = {0.0f,     -0.0f,         65504.0f, 65519.99f, 65520.0f,           1e-8f,
                               2.98e-8f, 2.9802322e-8f, 5.96e-8f, 6.1e-5f,   1.0f + 1.0f / 2048, 1.0f + 3.0f / 2048,
                               INFINITY, -INFINITY,     1e30f};
  std::mt19937_64 rng(13);
  for (int i = 0; i < 20000; ++i) {
    uint32_t bits = static_cast<uint32_t>(rng());
    if ((bits & 0x7f800000u) == 0x7f800000u) continue;  // NaN payloads differ by design
    float f;
    std::memcpy(&f, &bits, 4);
    if (std::fabs(f) > 1e-9f && std::fabs(f) < 1e6f) floats.push_back(f);
  }
  std::string in;
  for (float f : floats) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    in += std::to_string(b) + "\n";
  }
  auto want = Python(
      "import sys, numpy as np\n"
      "print(' '.join(repr(float(x)) for x in np.arange(65536, "
      "dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float64)))\n"
      "f = np.array([int(l) for l in sys.stdin], dtype=np.uint32).view(np.float32)\n"
      "print(' '.join(str(int(x)) for x in f.astype(np.float16).view(np.uint16)))\n",
      in);
  ASSERT_EQ(want.size(), 2u);
  std::istringstream wide(want[0]), narrow(want[1]);
  for (int64_t h = 0; h < 65536; ++h) {
    std::string w;
    wide >> w;
    double got = GetValue(*ha, h).as_double();
    if (w == "nan")
      EXPECT_TRUE(std::isnan(got)) << h;
    else if (w == "inf")
      EXPECT_EQ(got, INFINITY);
    else if (w == "-inf")
      EXPECT_EQ(got, -INFINITY);
    else
      EXPECT_EQ(got, std::stod(w)) << h;
  }
  ArrayBuilder nb(Float16());
  for (float f : floats) nb.AppendDouble(f);
  ArrayPtr na = nb.Finish();
  for (size_t i = 0; i < floats.size(); ++i) {
    int w;
    narrow >> w;
    EXPECT_EQ(na->Value<uint16_t>(static_cast<int64_t>(i)), w) << floats[i];
  }
}

TEST(ValueOracle, JsonMatchesPythonJsonDumps) {
  // Doubles, strings with escapes and non-ASCII, nested lists/structs: Python's json.dumps with
  // ensure_ascii=False and compact separators is what the viewer's rows look like.
  std::mt19937_64 rng(14);
  std::vector<Value> values;
  for (int i = 0; i < 2000; ++i) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, 8);
    if (!std::isfinite(d)) continue;
    values.push_back(Value::Double(d));
  }
  for (double d : {0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 123456789.0, 1e-5, 1e-4, 5e-324, 1.7976931348623157e308})
    values.push_back(Value::Double(d));
  values.push_back(Value::String("tab\t \"q\" back\\ nl\n é 日本 🙂 \x01"));
  values.push_back(Value::MakeStruct({{"a", Value::MakeList({Value::Int(-3), Value(), Value::Bool(true)})},
                                      {"b é", Value::UInt(18446744073709551615ULL)}}));
  std::string in;
  for (const Value& v : values) in += v.ToJson() + "\n";
  // Python re-serialises what it parsed; equal text means the same value and the same spelling.
  auto want = Python(
      "import sys, json\nfor l in sys.stdin: print(json.dumps(json.loads(l), ensure_ascii=False, separators=(',', "
      "':')))\n",
      in);
  ASSERT_EQ(want.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(values[i].ToJson(), want[i]);
  EXPECT_EQ(Value::Double(NAN).ToJson(), "\"NaN\"");
  EXPECT_EQ(Value::Double(-INFINITY).ToJson(), "\"-Infinity\"");
  EXPECT_EQ(Value::Binary(std::string("\x00\xff", 2)).ToJson(), "\"AP8=\"");
}

}  // namespace
}  // namespace mhub::datasets
