// Fuzzes the dataset viewer's `where` / `orderby` parser and evaluator (src/server/viewer/filter_expr.h):
// the input is parsed as a where expression and as an orderby list; what parses is bound to a fixed
// schema and run over a small table with nulls, NaN and empty strings. Beyond "no crash": a refusal
// names a reason, and evaluation of what binds never fails.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/datasets/array.h"
#include "server/viewer/filter_expr.h"

namespace {

namespace ds = mhub::datasets;

void Check(bool ok) {
  if (!ok) std::abort();
}

const ds::Table& Sample() {
  static const ds::Table table = [] {
    ds::Table t;
    t.schema.fields = {{"age", ds::Int64()},     {"name", ds::String()},    {"flag", ds::Bool()},
                       {"score", ds::Float64()}, {"children", ds::Int32()}, {"tags", ds::List(ds::String())},
                       {"day", ds::Date32()}};
    ds::ArrayBuilder age(ds::Int64()), name(ds::String()), flag(ds::Bool()), score(ds::Float64()),
        children(ds::Int32()), tags(ds::List(ds::String())), day(ds::Date32());
    for (int i = 0; i < 6; ++i) {
      if (i == 3) {
        age.AppendNull();
        name.AppendNull();
        flag.AppendNull();
        score.AppendNull();
        children.AppendNull();
        tags.AppendNull();
        day.AppendNull();
        continue;
      }
      age.AppendInt(i * 17 - 20);
      name.AppendBytes(i == 4 ? std::string_view() : std::string_view(i % 2 ? "Simone" : "caf\xc3\xa9 'x'"));
      flag.AppendBool(i % 2 == 0);
      score.AppendDouble(i == 5 ? NAN : i * 0.25);
      children.AppendInt(i % 3);
      tags.StartList();
      for (int k = 0; k < i; ++k) tags.Child(0).AppendBytes("t");
      day.AppendInt(19000 + i);
    }
    t.columns = {age.Finish(),      name.Finish(), flag.Finish(), score.Finish(),
                 children.Finish(), tags.Finish(), day.Finish()};
    t.num_rows = 6;
    return t;
  }();
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  namespace v = mhub::server::viewer;
  const ds::Table& table = Sample();
  auto where = v::ParseWhere(input);
  if (!where.ok()) {
    Check(!where.status().message().empty());
  } else {
    for (const auto& name : v::ReferencedColumns(**where)) Check(!name.empty());
    auto bound = v::BoundFilter::Bind(**where, table.schema);
    if (!bound.ok()) {
      Check(!bound.status().message().empty());
    } else {
      for (int64_t r = 0; r < table.num_rows; ++r) (void)bound->Matches(table, r);
    }
  }
  auto order = v::ParseOrderBy(input);
  if (!order.ok()) {
    Check(!order.status().message().empty());
  } else {
    std::vector<int64_t> rows = {0, 1, 2, 3, 4, 5};
    auto sorted = v::SortRows(table, *order, rows);
    if (sorted.ok()) Check(rows.size() == 6);
  }
  return 0;
}
