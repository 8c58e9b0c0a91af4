// Array::Validate and Table::Validate: every layout rule of array.h, checked before data from a
// file or another process is trusted (a reader's output, a mapped cache file).
#include <bit>
#include <string>

#include "mhub/base/utf8.h"
#include "mhub/datasets/array.h"

namespace mhub::datasets {
namespace {

Status Bad(const Array& a, const std::string& what) {
  return Status::Corruption((a.type ? a.type->ToString() : std::string("untyped")) + " array of length " +
                            std::to_string(a.length) + ": " + what);
}

int64_t CountNulls(const Buffer& bitmap, int64_t length) {
  int64_t valid = 0;
  int64_t full = length / 8;
  for (int64_t i = 0; i < full; ++i) valid += std::popcount(bitmap.data[i]);
  for (int64_t i = full * 8; i < length; ++i) valid += (bitmap.data[i >> 3] >> (i & 7)) & 1;
  return length - valid;
}

// Offsets: length+1 int64, offsets[0] == 0, non-decreasing, last <= `limit`.
Status CheckOffsets(const Array& a, int64_t limit, const char* limit_name) {
  if (a.offsets.size < static_cast<size_t>(a.length + 1) * sizeof(int64_t))
    return Bad(a, "offsets buffer holds " + std::to_string(a.offsets.size) + " bytes, needs " +
                      std::to_string((a.length + 1) * 8));
  if (a.Offset(0) != 0) return Bad(a, "offsets[0] is " + std::to_string(a.Offset(0)) + ", not 0");
  for (int64_t i = 0; i < a.length; ++i) {
    if (a.Offset(i + 1) < a.Offset(i))
      return Bad(a, "offsets decrease at row " + std::to_string(i) + " (" + std::to_string(a.Offset(i)) + " -> " +
                        std::to_string(a.Offset(i + 1)) + ")");
  }
  if (a.Offset(a.length) > limit)
    return Bad(a, "last offset " + std::to_string(a.Offset(a.length)) + " past the " + limit_name + " (" +
                      std::to_string(limit) + ")");
  return Status::OK();
}

}  // namespace

Status Array::Validate() const {
  if (!type) return Status::Corruption("array without a type");
  if (length < 0) return Bad(*this, "negative length");
  if (null_count < 0 || null_count > length)
    return Bad(*this, "null_count " + std::to_string(null_count) + " out of range");
  if (type->id == TypeId::kNull) {
    if (null_count != length) return Bad(*this, "a null array must count every value as null");
    if (!children.empty()) return Bad(*this, "a null array has no children");
    return Status::OK();
  }
  if (validity.empty()) {
    if (null_count != 0) return Bad(*this, "null_count " + std::to_string(null_count) + " without a validity bitmap");
  } else {
    if (validity.size < static_cast<size_t>((length + 7) / 8)) return Bad(*this, "validity bitmap too short");
    int64_t zeros = CountNulls(validity, length);
    if (zeros != null_count)
      return Bad(*this, "null_count " + std::to_string(null_count) + " but the bitmap has " + std::to_string(zeros) +
                            " nulls");
  }
  int width = type->FixedWidth();
  switch (type->id) {
    case TypeId::kString:
    case TypeId::kBinary: {
      if (!children.empty()) return Bad(*this, "unexpected children");
      MHUB_RETURN_IF_ERROR(CheckOffsets(*this, static_cast<int64_t>(values.size), "values buffer"));
      if (type->id == TypeId::kString) {
        for (int64_t i = 0; i < length; ++i) {
          std::string_view s = Bytes(i);
          size_t bad = FirstInvalidUtf8(s);
          if (bad != std::string_view::npos)
            return Bad(*this, "row " + std::to_string(i) + " is not UTF-8 (byte " + std::to_string(bad) + ")");
        }
      }
      return Status::OK();
    }
    case TypeId::kList: {
      if (children.size() != 1 || !children[0]) return Bad(*this, "a list needs exactly one child");
      const Array& child = *children[0];
      if (!child.type || !child.type->Equals(*type->element()))
        return Bad(*this, "child type " + (child.type ? child.type->ToString() : std::string("?")) + " differs");
      MHUB_RETURN_IF_ERROR(CheckOffsets(*this, child.length, "child's length"));
      for (int64_t i = 0; i < length; ++i)
        if (IsNull(i) && Offset(i) != Offset(i + 1))
          return Bad(*this, "null list at row " + std::to_string(i) + " is not empty");
      if (!type->children[0].nullable && child.null_count != 0) return Bad(*this, "non-nullable elements hold nulls");
      return child.Validate().WithContext("list element");
    }
    case TypeId::kStruct: {
      if (children.size() != type->children.size())
        return Bad(*this, std::to_string(children.size()) + " children for " + std::to_string(type->children.size()) +
                              " fields");
      for (size_t k = 0; k < children.size(); ++k) {
        const std::string& name = type->children[k].name;
        if (!children[k]) return Bad(*this, "field '" + name + "' missing");
        const Array& c = *children[k];
        if (!c.type || !c.type->Equals(*type->children[k].type))
          return Bad(*this, "field '" + name + "' has another type");
        if (c.length != length) return Bad(*this, "field '" + name + "' has " + std::to_string(c.length) + " rows");
        MHUB_RETURN_IF_ERROR(c.Validate().WithContext("field '" + name + "'"));
      }
      return Status::OK();
    }
    default: {
      if (!children.empty()) return Bad(*this, "unexpected children");
      if (values.size < static_cast<size_t>(length) * static_cast<size_t>(width))
        return Bad(*this, "values buffer holds " + std::to_string(values.size) + " bytes, needs " +
                              std::to_string(length * width));
      if (type->id == TypeId::kBool) {
        for (int64_t i = 0; i < length; ++i)
          if (values.data[i] > 1) return Bad(*this, "bool at row " + std::to_string(i) + " is neither 0 nor 1");
      }
      return Status::OK();
    }
  }
}

Status Table::Validate() const {
  if (columns.size() != schema.fields.size())
    return Status::Corruption("table has " + std::to_string(columns.size()) + " columns for " +
                              std::to_string(schema.fields.size()) + " fields");
  if (num_rows < 0) return Status::Corruption("table has a negative row count");
  for (size_t k = 0; k < columns.size(); ++k) {
    const Field& f = schema.fields[k];
    const std::string where = "column '" + f.name + "'";
    if (!columns[k]) return Status::Corruption(where + " missing");
    const Array& c = *columns[k];
    if (c.length != num_rows)
      return Status::Corruption(where + " has " + std::to_string(c.length) + " rows, the table " +
                                std::to_string(num_rows));
    if (!c.type || !f.type || !c.type->Equals(*f.type))
      return Status::Corruption(where + " is " + (c.type ? c.type->ToString() : "untyped") + ", the schema says " +
                                (f.type ? f.type->ToString() : "nothing"));
    if (!f.nullable && c.null_count != 0) return Status::Corruption(where + " is not nullable but holds nulls");
    MHUB_RETURN_IF_ERROR(c.Validate().WithContext(where));
  }
  return Status::OK();
}

}  // namespace mhub::datasets
