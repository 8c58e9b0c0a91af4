#include "datasets/export_test_support.h"

#include <cmath>

namespace mhub::datasets::testutil {

Table ExportRows(int64_t n) {
  Table t;
  auto st = Struct({{"a", Int64()}, {"b", String()}});
  t.schema.fields = {{"i", Int64()},        {"f", Float64()},       {"b", Bool()}, {"s", String()},
                     {"li", List(Int64())}, {"ls", List(String())}, {"st", st},    {"f32", Float32()}};
  ArrayBuilder i(Int64()), f(Float64()), b(Bool()), s(String()), li(List(Int64())), ls(List(String())), sb(st),
      f32(Float32());
  static const char* kStrings[] = {"plain", "x/y",    "é 日本 🙂", "a\"b",        "comma, here", "line\nbreak",
                                   "",      "tab\tq", "\x01ctl",        "back\\slash", " lead",       "<&>"};
  for (int64_t r = 0; r < n; ++r) {
    if (r >= 1000 && r < 2000 && r % 97 == 5)
      i.AppendNull();  // only the second batch has null ints
    else
      i.AppendInt(r * 7 - 3000);
    if (r % 11 == 0)
      f.AppendNull();
    else if (r % 13 == 0)
      f.AppendDouble(NAN);
    else
      f.AppendDouble(std::pow(-1.7, static_cast<double>(r % 40)) / 3.0 + static_cast<double>(r) * 1e-7);
    if (r < 1000 && r % 50 == 1)
      b.AppendNull();  // only the first batch has null bools
    else
      b.AppendBool(r % 3 == 0);
    if (r % 17 == 0)
      s.AppendNull();
    else
      s.AppendBytes(kStrings[r % 12]);
    if (r % 23 == 0) {
      li.AppendNull();
    } else {
      li.StartList();
      for (int64_t k = 0; k < r % 4; ++k) {
        if (r >= 2000 && k == 2)
          li.Child(0).AppendNull();  // third batch: null elements
        else
          li.Child(0).AppendInt(r + k);
      }
    }
    ls.StartList();
    for (int64_t k = 0; k < r % 3; ++k) ls.Child(0).AppendBytes(kStrings[(r + k) % 12]);
    if (r % 19 == 0) {
      sb.AppendNull();
    } else {
      sb.AppendStructValid();
      sb.Child(0).AppendInt(r);
      if (r % 2)
        sb.Child(1).AppendNull();
      else
        sb.Child(1).AppendBytes(kStrings[r % 12]);
    }
    f32.AppendDouble(static_cast<double>(r) / 10.0);
  }
  t.columns = {i.Finish(), f.Finish(), b.Finish(), s.Finish(), li.Finish(), ls.Finish(), sb.Finish(), f32.Finish()};
  t.num_rows = n;
  return t;
}

}  // namespace mhub::datasets::testutil
