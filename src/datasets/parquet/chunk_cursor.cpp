// ChunkCursor and ReadColumnChunk (column_reader.h): rows of a column chunk taken from the page
// walker (chunk_walker.h) page by page, passing over the entries before the range.
#include <algorithm>
#include <cstdint>
#include <memory>

#include "datasets/parquet/chunk_walker.h"
#include "datasets/parquet/column_reader.h"

namespace mhub::datasets::parquet {

struct ChunkCursor::State {
  State(const ChunkRequest& request, const OffsetIndex* index) : req(request) {
    req.offset_index = nullptr;
    if (index) {
      offset_index = *index;
      req.offset_index = &offset_index;
    }
  }
  ChunkRequest req;  // before `walker`, which keeps a reference to it
  OffsetIndex offset_index;
  ChunkWalker walker{req};
  bool begun = false;
  int64_t next_row = -1;   // rows of the row group started before the open page's next entry
  int64_t handed_out = 0;  // rows returned so far
  Counters counters;
};

ChunkCursor::ChunkCursor(const ChunkRequest& request, const OffsetIndex* offset_index)
    : state_(std::make_unique<State>(request, offset_index)) {}
ChunkCursor::~ChunkCursor() = default;
ChunkCursor::ChunkCursor(ChunkCursor&&) noexcept = default;
ChunkCursor& ChunkCursor::operator=(ChunkCursor&&) noexcept = default;
const ChunkCursor::Counters& ChunkCursor::counters() const { return state_->counters; }

Status ChunkCursor::Read(int64_t rows, LeafData* out) {
  State& s = *state_;
  ChunkWalker& w = s.walker;
  const LeafColumn& leaf = *s.req.leaf;
  const bool flat = leaf.max_rep == 0;
  if (!s.begun) {
    s.begun = true;
    MHUB_RETURN_IF_ERROR(w.Begin());
  }
  rows = std::max<int64_t>(std::min(rows, s.req.row_end - s.req.row_begin - s.handed_out), 0);
  // A fresh output with room for the rows asked for (nested columns grow past it as needed).
  out->def.clear();
  out->rep.clear();
  out->entries = 0;
  out->spread = flat && leaf.max_def > 0;
  out->values.Init(leaf.physical, leaf.type_length);
  {
    int64_t hint = std::clamp<int64_t>(rows, 0, std::max<int64_t>(w.reserve_budget(), 0));
    if (leaf.max_def > 0) out->def.reserve(hint);
    if (leaf.max_rep > 0) out->rep.reserve(hint);
    if (out->values.width > 0) out->values.fixed.reserve(hint * out->values.width);
    if (out->values.is_byte_array()) out->values.offsets.reserve(hint + 1);
    w.set_values_hint(hint);
  }
  if (rows == 0) return Status::OK();
  const int64_t begin = s.req.row_begin;
  const int64_t target = begin + s.handed_out + rows;  // rows [.., target) of the row group go out
  while (true) {
    if (w.page_left() == 0) {
      if (w.done()) break;
      // A page that lies inside this read may decode straight into *out.
      const int64_t from = std::max(begin, s.next_row < 0 ? begin : s.next_row);
      MHUB_RETURN_IF_ERROR(w.OpenPage(out, from, target));
      if (w.done() && w.page_left() == 0) break;
      if (s.next_row < 0) s.next_row = w.first_row();
      ++s.counters.pages_opened;
      if (w.page_left() == 0) continue;
    }
    if (flat) {
      // One entry per row: pass rows before the range, then take up to the target.
      int64_t pass = std::min(std::max<int64_t>(begin - s.next_row, 0), w.page_left());
      if (pass > 0) {
        MHUB_RETURN_IF_ERROR(w.Take(pass, nullptr));
        s.next_row += pass;
        s.counters.entries_passed += pass;
        continue;
      }
      int64_t take = std::min(target - s.next_row, w.page_left());
      if (take <= 0) break;
      MHUB_RETURN_IF_ERROR(w.Take(take, out));
      s.next_row += take;
      s.counters.entries_read += take;
      if (s.next_row >= target) break;
      continue;
    }
    // Nested: an entry with rep == 0 starts row next_row; others continue row next_row - 1.
    const int16_t* r = w.page_rep();
    const int64_t left = w.page_left();
    int64_t i = 0;
    int64_t row = s.next_row;
    // Entries of rows before the range.
    while (i < left && (r[i] == 0 ? row : row - 1) < begin) row += r[i++] == 0;
    if (i > 0) {
      MHUB_RETURN_IF_ERROR(w.Take(i, nullptr));
      s.next_row = row;
      s.counters.entries_passed += i;
      continue;
    }
    // Entries of rows before the target.
    while (i < left && (r[i] == 0 ? row : row - 1) < target) row += r[i++] == 0;
    if (i > 0) {
      MHUB_RETURN_IF_ERROR(w.Take(i, out));
      s.next_row = row;
      s.counters.entries_read += i;
    }
    if (i < left) break;  // the next entry starts a row past the target
    // The page ended: the last row may go on in the next page unless pages start rows.
    if (row >= target && w.page_ends_row()) break;
  }
  s.handed_out += rows;
  return Status::OK();
}

Status ReadColumnChunk(const ChunkRequest& request, LeafData* out) {
  ChunkCursor cursor(request, request.offset_index);
  return cursor.Read(request.row_end - request.row_begin, out);
}

}  // namespace mhub::datasets::parquet
