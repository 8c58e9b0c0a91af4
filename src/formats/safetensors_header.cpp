// ParseSafetensorsHeader: the reference reader's rules (huggingface/safetensors tensor.rs,
// read_metadata + Metadata::validate), each failing with its own message.
#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/utf8.h"
#include "mhub/formats/safetensors.h"

namespace mhub::formats {

namespace {

// "(RuleName)" at the end of every Corruption message names the reference error it mirrors.
Status Broken(const std::string& what, std::string_view rule) {
  return Status::Corruption(what + " (" + std::string(rule) + ")");
}

std::string Quote(std::string_view name) { return "'" + std::string(name) + "'"; }

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

// Parses with nlohmann, rejecting duplicate keys at any depth (the README forbids them; nlohmann
// would silently keep the last one).
Result<Json> ParseStrictJson(std::string_view text) {
  std::vector<std::set<std::string>> seen;
  std::string duplicate;
  auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        seen.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (!seen.empty()) seen.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!seen.empty() && parsed.is_string()) {
          const std::string& key = parsed.get_ref<const std::string&>();
          if (!seen.back().insert(key).second && duplicate.empty()) duplicate = key;
        }
        break;
      default:
        break;
    }
    return true;
  };
  Json j;
  try {
    j = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true);
  } catch (const std::exception& e) {
    return Broken(std::string("header is not valid JSON: ") + e.what(), "InvalidHeaderDeserialization");
  }
  if (!duplicate.empty()) {
    return Broken("header repeats the key " + Quote(duplicate), "InvalidHeaderDeserialization");
  }
  return j;
}

bool ReadU64(const Json& v, uint64_t* out) {
  if (!v.is_number_unsigned()) return false;
  *out = v.get<uint64_t>();
  return true;
}

Result<SafetensorsTensorInfo> ParseTensorEntry(const std::string& name, const Json& entry) {
  const std::string where = "tensor " + Quote(name);
  if (!entry.is_object()) {
    return Broken(where + ": entry must be an object, got " + JsonTypeName(entry), "InvalidHeaderDeserialization");
  }
  SafetensorsTensorInfo info;
  info.name = name;

  auto dtype_it = entry.find("dtype");
  if (dtype_it == entry.end() || !dtype_it->is_string()) {
    return Broken(where + ": \"dtype\" must be a string", "InvalidHeaderDeserialization");
  }
  auto dtype = ParseDtype(dtype_it->get_ref<const std::string&>());
  if (!dtype.ok()) {
    return Broken(where + ": unknown dtype " + Quote(dtype_it->get_ref<const std::string&>()),
                  "InvalidHeaderDeserialization");
  }
  info.dtype = *dtype;

  auto shape_it = entry.find("shape");
  if (shape_it == entry.end() || !shape_it->is_array()) {
    return Broken(where + ": \"shape\" must be an array of non-negative integers", "InvalidHeaderDeserialization");
  }
  for (size_t i = 0; i < shape_it->size(); ++i) {
    const Json& dim = (*shape_it)[i];
    uint64_t d = 0;
    if (!ReadU64(dim, &d)) {
      return Broken(where + ": shape[" + std::to_string(i) + "] = " + DumpJson(dim).substr(0, 40) +
                        " is not a non-negative integer",
                    "InvalidHeaderDeserialization");
    }
    if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Broken(where + ": dimension " + std::to_string(d) + " is too large", "ValidationOverflow");
    }
    info.shape.push_back(static_cast<int64_t>(d));
  }

  auto off_it = entry.find("data_offsets");
  if (off_it == entry.end() || !off_it->is_array() || off_it->size() != 2 || !ReadU64((*off_it)[0], &info.begin) ||
      !ReadU64((*off_it)[1], &info.end)) {
    return Broken(where + ": \"data_offsets\" must be [begin, end] with non-negative integers",
                  "InvalidHeaderDeserialization");
  }
  return info;
}

enum class SizeError { kNone, kElementOverflow, kBitOverflow, kNotWholeBytes };

// Byte size of `shape` (dims >= 0) elements of `dtype`, with checked arithmetic.
SizeError ComputeByteSize(Dtype dtype, std::span<const int64_t> shape, uint64_t* elements, uint64_t* bytes) {
  uint64_t count = 1;
  for (int64_t d : shape) {
    uint64_t ud = static_cast<uint64_t>(d);
    if (ud != 0 && count > std::numeric_limits<uint64_t>::max() / ud) return SizeError::kElementOverflow;
    count *= ud;
  }
  *elements = count;
  uint64_t bits_per = DtypeSizeBits(dtype);
  if (count > std::numeric_limits<uint64_t>::max() / bits_per) return SizeError::kBitOverflow;
  uint64_t bits = count * bits_per;
  if (bits % 8 != 0) return SizeError::kNotWholeBytes;
  *bytes = bits / 8;
  return SizeError::kNone;
}

// Checks one tensor's byte size against dtype x shape (rules of Metadata::validate after offsets).
Status CheckTensorSize(const SafetensorsTensorInfo& t) {
  const std::string where = "tensor " + Quote(t.name);
  uint64_t elements = 0, need = 0;
  switch (ComputeByteSize(t.dtype, t.shape, &elements, &need)) {
    case SizeError::kElementOverflow:
      return Broken(where + ": element count of shape " + ShapeText(t.shape) + " overflows", "ValidationOverflow");
    case SizeError::kBitOverflow:
      return Broken(
          where + ": bit size of shape " + ShapeText(t.shape) + " x " + std::string(DtypeName(t.dtype)) + " overflows",
          "ValidationOverflow");
    case SizeError::kNotWholeBytes:
      return Broken(where + ": " + std::to_string(elements) + " elements of " + std::string(DtypeName(t.dtype)) +
                        " are not a whole number of bytes",
                    "MisalignedSlice");
    case SizeError::kNone:
      break;
  }
  if (t.end - t.begin != need) {
    return Broken(where + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "] hold " +
                      std::to_string(t.end - t.begin) + " bytes but " + std::string(DtypeName(t.dtype)) + " " +
                      ShapeText(t.shape) + " needs " + std::to_string(need),
                  "TensorInvalidInfo");
  }
  return Status::OK();
}

}  // namespace

int64_t TensorView::numel() const {
  // Unsigned: a validated shape like [2^62, 2, 0] has an intermediate product above INT64_MAX.
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return static_cast<int64_t>(n);
}

Result<uint64_t> TensorByteSize(Dtype dtype, std::span<const int64_t> shape) {
  for (int64_t d : shape) {
    if (d < 0) return Status::InvalidArgument("negative dimension " + std::to_string(d) + " in tensor shape");
  }
  uint64_t elements = 0, bytes = 0;
  switch (ComputeByteSize(dtype, shape, &elements, &bytes)) {
    case SizeError::kElementOverflow:
      return Status::InvalidArgument("tensor element count overflows");
    case SizeError::kBitOverflow:
      return Status::InvalidArgument("tensor bit size overflows");
    case SizeError::kNotWholeBytes:
      return Status::InvalidArgument(std::to_string(elements) + " elements of " + std::string(DtypeName(dtype)) +
                                     " are not a whole number of bytes");
    case SizeError::kNone:
      break;
  }
  return bytes;
}

Result<SafetensorsHeader> ParseSafetensorsHeader(std::span<const uint8_t> prefix, uint64_t file_size) {
  if (file_size >= 8 && prefix.size() < 8) {
    return Status::InvalidArgument("ParseSafetensorsHeader needs at least the first 8 bytes of the file");
  }
  if (file_size < 8) {
    return Broken("file is " + std::to_string(file_size) + " bytes, too small for the 8-byte header length",
                  "HeaderTooSmall");
  }
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | prefix[static_cast<size_t>(i)];
  if (n > kMaxSafetensorsHeaderSize) {
    return Broken("header length " + std::to_string(n) + " exceeds the limit of " +
                      std::to_string(kMaxSafetensorsHeaderSize) + " bytes",
                  "HeaderTooLarge");
  }
  const uint64_t data_offset = 8 + n;  // cannot overflow: n <= 1e8
  if (data_offset > file_size) {
    return Broken(
        "header length " + std::to_string(n) + " runs past the end of the " + std::to_string(file_size) + "-byte file",
        "InvalidHeaderLength");
  }
  if (prefix.size() < data_offset) {
    return Status::InvalidArgument("ParseSafetensorsHeader needs the first " + std::to_string(data_offset) +
                                   " bytes of the file, got " + std::to_string(prefix.size()));
  }
  std::string_view text(reinterpret_cast<const char*>(prefix.data()) + 8, static_cast<size_t>(n));
  if (size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    static const char kHex[] = "0123456789abcdef";
    const auto byte = static_cast<unsigned char>(text[bad]);
    return Broken("header is not valid UTF-8 (byte 0x" + std::string{kHex[byte >> 4], kHex[byte & 15]} +
                      " at header offset " + std::to_string(bad) + ")",
                  "InvalidHeader");
  }
  MHUB_ASSIGN_OR_RETURN(Json json, ParseStrictJson(text));
  if (!json.is_object()) {
    return Broken("header must be a JSON object, got " + JsonTypeName(json), "InvalidHeaderDeserialization");
  }

  SafetensorsHeader header;
  header.header_size = n;
  header.data_offset = data_offset;
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.key() == "__metadata__") {
      const Json& meta = it.value();
      if (meta.is_null()) continue;
      if (!meta.is_object()) {
        return Broken("__metadata__ must be an object mapping strings to strings, got " + JsonTypeName(meta),
                      "InvalidHeaderDeserialization");
      }
      for (auto m = meta.begin(); m != meta.end(); ++m) {
        if (!m.value().is_string()) {
          return Broken(
              "__metadata__ value for key " + Quote(m.key()) + " must be a string, got " + JsonTypeName(m.value()),
              "InvalidHeaderDeserialization");
        }
        header.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    MHUB_ASSIGN_OR_RETURN(SafetensorsTensorInfo info, ParseTensorEntry(it.key(), it.value()));
    header.tensors.push_back(std::move(info));
  }

  // The reference sorts by data_offsets, so key order in the JSON does not matter.
  std::stable_sort(header.tensors.begin(), header.tensors.end(),
                   [](const SafetensorsTensorInfo& a, const SafetensorsTensorInfo& b) {
                     if (a.begin != b.begin) return a.begin < b.begin;
                     return a.end < b.end;
                   });

  uint64_t expected_begin = 0;
  const SafetensorsTensorInfo* previous = nullptr;
  for (const SafetensorsTensorInfo& t : header.tensors) {
    if (t.begin != expected_begin) {
      if (previous == nullptr) {
        return Broken("tensor " + Quote(t.name) + " starts at " + std::to_string(t.begin) +
                          " but the first tensor must start at 0 of the data buffer",
                      "InvalidOffset");
      }
      return Broken("tensor " + Quote(t.name) + " starts at " + std::to_string(t.begin) + " but the previous tensor " +
                        Quote(previous->name) + " ends at " + std::to_string(expected_begin) +
                        ": gap or overlap in the data buffer",
                    "InvalidOffset");
    }
    if (t.end < t.begin) {
      return Broken("tensor " + Quote(t.name) + ": data_offsets end " + std::to_string(t.end) + " is before begin " +
                        std::to_string(t.begin),
                    "InvalidOffset");
    }
    MHUB_RETURN_IF_ERROR(CheckTensorSize(t));
    expected_begin = t.end;
    previous = &t;
  }

  const uint64_t available = file_size - data_offset;
  if (expected_begin > available) {
    return Broken("tensor data ends at byte " + std::to_string(expected_begin) +
                      " of the data buffer but the file holds " + std::to_string(available) +
                      " bytes after the header: the file is truncated",
                  "MetadataIncompleteBuffer");
  }
  if (expected_begin < available) {
    return Broken(
        "the file has " + std::to_string(available - expected_begin) + " trailing bytes after the last tensor's data",
        "MetadataIncompleteBuffer");
  }
  header.data_size = expected_begin;
  return header;
}

}  // namespace mhub::formats
