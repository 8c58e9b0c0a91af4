#include "datasets/load/arrow_size.h"

namespace mhub::datasets::load {

int64_t ArrowNbytes(const Array& a) {
  const int64_t n = a.length;
  int64_t bytes = a.null_count > 0 && a.type->id != TypeId::kNull ? (n + 7) / 8 : 0;
  switch (a.type->id) {
    case TypeId::kNull:
      return 0;
    case TypeId::kBool:
      return bytes + (n + 7) / 8;
    case TypeId::kString:
    case TypeId::kBinary:
      return bytes + 4 * (n + 1) + (n > 0 ? a.Offset(n) - a.Offset(0) : 0);
    case TypeId::kList:
      return bytes + 4 * (n + 1) + (a.children.empty() ? 0 : ArrowNbytes(*a.children[0]));
    case TypeId::kStruct:
      for (const auto& c : a.children) bytes += ArrowNbytes(*c);
      return bytes;
    default:
      return bytes + n * a.type->FixedWidth();
  }
}

int64_t ArrowNbytes(const Table& t) {
  int64_t total = 0;
  for (const auto& c : t.columns) total += ArrowNbytes(*c);
  return total;
}

}  // namespace mhub::datasets::load
