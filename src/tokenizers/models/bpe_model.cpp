// BPE (HF models/bpe): chars (or bytes, for ByteLevel input) -> symbols, then repeatedly merge the
// adjacent pair with the lowest merge rank, leftmost first. Results per pre-token are cached
// per thread.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <queue>
#include <random>

#include "tokenizers/models/vocab_model.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

// Open-addressing map from a symbol pair to (rank, merged id). When ids and ranks are small
// enough (every real vocabulary) a slot is one 8-byte word: the pair packed in 40 bits and the
// rank in 24, the merged id kept in a rank-indexed array; a 280k-merge table then takes 4 MB
// instead of 16 and stays in cache far better. Otherwise 16-byte slots hold everything.
class MergeMap {
 public:
  void Reserve(size_t n, size_t id_bound) {
    size_t cap = 16;
    packed_ = id_bound > 0 && id_bound <= (1u << 20) && n < kPackedRankLimit;
    if (packed_) {
      id_bound_ = id_bound;
      while (cap * 8 < n * 15) cap <<= 1;  // load factor under 8/15
      packed_slots_.assign(cap, kEmpty);
      merged_.assign(n, 0);
    } else {
      while (cap < n * 2) cap <<= 1;
      slots_.assign(cap, Slot{kEmpty, 0, 0});
    }
    mask_ = cap - 1;
  }
  void Put(uint32_t a, uint32_t b, uint32_t rank, uint32_t id) {
    if (packed_) {
      const uint64_t key = static_cast<uint64_t>(a) * id_bound_ + b;
      size_t i = Hash(key) & mask_;
      while (packed_slots_[i] != kEmpty && (packed_slots_[i] >> 24) != key) i = (i + 1) & mask_;
      packed_slots_[i] = (key << 24) | rank;
      merged_[rank] = id;
      return;
    }
    uint64_t key = Key(a, b);
    size_t i = Hash(key) & mask_;
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask_;
    slots_[i] = Slot{key, rank, id};
  }
  // The rank of the merge of (a, b), or kNone. Ids are only needed for the merge performed.
  uint32_t Rank(uint32_t a, uint32_t b) const {
    if (packed_) {
      if (a >= id_bound_ || b >= id_bound_) return kNone;
      const uint64_t key = static_cast<uint64_t>(a) * id_bound_ + b;
      size_t i = Hash(key) & mask_;
      while (true) {
        const uint64_t v = packed_slots_[i];
        if (v == kEmpty) return kNone;
        if ((v >> 24) == key) return static_cast<uint32_t>(v & 0xFFFFFF);
        i = (i + 1) & mask_;
      }
    }
    uint32_t rank, id;
    return Get(a, b, rank, id) ? rank : kNone;
  }
  // Prefetch for a write (Put).
  void PrefetchSlot(uint32_t a, uint32_t b) const { Prefetch(a, b); }
  // Starts loading the slot Rank(a, b) probes first.
  void Prefetch(uint32_t a, uint32_t b) const {
    if (packed_) {
      if (a < id_bound_ && b < id_bound_) {
        __builtin_prefetch(&packed_slots_[Hash(static_cast<uint64_t>(a) * id_bound_ + b) & mask_]);
      }
      return;
    }
    __builtin_prefetch(&slots_[Hash(Key(a, b)) & mask_]);
  }
  // The merged id of the merge of (a, b) of rank `rank` (as returned by Rank).
  uint32_t MergedId(uint32_t a, uint32_t b, uint32_t rank) const {
    if (packed_) return merged_[rank];
    uint32_t r = 0, id = 0;
    Get(a, b, r, id);
    return id;
  }
  // false when the pair has no merge.
  bool Get(uint32_t a, uint32_t b, uint32_t& rank, uint32_t& id) const {
    if (packed_) {
      rank = Rank(a, b);
      if (rank == kNone) return false;
      id = merged_[rank];
      return true;
    }
    uint64_t key = Key(a, b);
    size_t i = Hash(key) & mask_;
    while (true) {
      const Slot& s = slots_[i];
      if (s.key == key) {
        rank = s.rank;
        id = s.id;
        return true;
      }
      if (s.key == kEmpty) return false;
      i = (i + 1) & mask_;
    }
  }
  static constexpr uint32_t kNone = ~0u;

 private:
  static constexpr uint64_t kEmpty = ~0ull;
  static constexpr size_t kPackedRankLimit = (1u << 24) - 1;
  struct Slot {
    uint64_t key;
    uint32_t rank;
    uint32_t id;
  };
  static uint64_t Key(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }
  static size_t Hash(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return static_cast<size_t>(k);
  }
  bool packed_ = false;
  uint64_t id_bound_ = 0;
  std::vector<uint64_t> packed_slots_;
  std::vector<uint32_t> merged_;  // packed: rank -> merged id
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

struct Symbol {
  uint32_t id;
  uint32_t len;  // bytes
};

class BpeModel final : public VocabModel {
 public:
  Status Init(const Json& options, ModelTables tables, std::string_view path) {
    std::string p(path);
    MHUB_ASSIGN_OR_RETURN(dropout_, JsonNumberOr(options, "dropout", path, 0.0));
    if (dropout_ < 0.0 || dropout_ > 1.0) return Status::InvalidArgument(p + ".dropout: must be between 0 and 1");
    if (options.contains("unk_token") && !options["unk_token"].is_null()) {
      MHUB_ASSIGN_OR_RETURN(std::string unk, JsonString(options, "unk_token", path));
      unk_token_ = unk;
    }
    MHUB_ASSIGN_OR_RETURN(prefix_, JsonStringOr(options, "continuing_subword_prefix", path, ""));
    MHUB_ASSIGN_OR_RETURN(suffix_, JsonStringOr(options, "end_of_word_suffix", path, ""));
    has_prefix_ = options.contains("continuing_subword_prefix") && !options["continuing_subword_prefix"].is_null();
    has_suffix_ = options.contains("end_of_word_suffix") && !options["end_of_word_suffix"].is_null();
    MHUB_ASSIGN_OR_RETURN(fuse_unk_, JsonBoolOr(options, "fuse_unk", path, false));
    MHUB_ASSIGN_OR_RETURN(byte_fallback_, JsonBoolOr(options, "byte_fallback", path, false));
    MHUB_ASSIGN_OR_RETURN(ignore_merges_, JsonBoolOr(options, "ignore_merges", path, false));
    if (!tables.scored.empty()) return Status::InvalidArgument(p + ".vocab: expected an object for BPE");
    SetVocab(tables.vocab);
    span_text_ok_ = IdsAreDistinct() && !(has_prefix_ && !prefix_.empty()) && !(has_suffix_ && !suffix_.empty());
    merges_as_pairs_ = tables.merges_as_pairs;
    merge_map_.Reserve(tables.merges.size(), vocab_r_.size());
    merge_list_.reserve(tables.merges.size());
    std::string merged;
    const size_t skip = has_prefix_ ? prefix_.size() : 0;
    // Lookups for merge i + kAhead are started early: the table is far bigger than the caches.
    constexpr size_t kAhead = 8;
    std::string ahead;
    std::vector<uint32_t> merged_ids;
    merged_ids.reserve(tables.merges.size());
    for (size_t i = 0; i < tables.merges.size(); ++i) {
      if (i + kAhead < tables.merges.size()) {
        const auto& [na, nb] = tables.merges[i + kAhead];
        vocab_.Prefetch(na);
        vocab_.Prefetch(nb);
        if (skip <= nb.size()) {
          ahead.assign(na);
          ahead.append(nb, skip, std::string::npos);
          vocab_.Prefetch(ahead);
        }
      }
      const auto& [a, b] = tables.merges[i];
      const uint32_t ia = vocab_.Find(a);
      const uint32_t ib = vocab_.Find(b);
      auto ep = [&p, i]() { return p + ".merges[" + std::to_string(i) + "]"; };
      if (ia == StringIndex::kNotFound) return Status::InvalidArgument(ep() + ": names unknown token '" + a + "'");
      if (ib == StringIndex::kNotFound) return Status::InvalidArgument(ep() + ": names unknown token '" + b + "'");
      if (skip > b.size()) return Status::InvalidArgument(ep() + ": token '" + b + "' is shorter than the prefix");
      merged.assign(a);
      merged.append(b, skip, std::string::npos);
      const uint32_t im = vocab_.Find(merged);
      if (im == StringIndex::kNotFound)
        return Status::InvalidArgument(ep() + ": merged token '" + merged + "' is not in the vocab");
      merged_ids.push_back(im);
      merge_list_.emplace_back(ia, ib);
    }
    // Filled in a second pass, starting the load of the slot of merge i + kAhead early.
    for (size_t i = 0; i < merge_list_.size(); ++i) {
      if (i + kAhead < merge_list_.size())
        merge_map_.PrefetchSlot(merge_list_[i + kAhead].first, merge_list_[i + kAhead].second);
      merge_map_.Put(merge_list_[i].first, merge_list_[i].second, static_cast<uint32_t>(i), merged_ids[i]);
    }
    if (unk_token_) unk_id_ = TokenToId(*unk_token_);
    // ByteLevel raw-byte view of the vocabulary.
    byte_to_id_.fill(-1);
    const auto& b2u = unicode::ByteToUtf8();
    for (int b = 0; b < 256; ++b) {
      const uint32_t id = vocab_.Find(b2u[b]);
      if (id != StringIndex::kNotFound) byte_to_id_[b] = static_cast<int64_t>(id);
    }
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      const uint32_t id = vocab_.Find(std::string_view(name, 6));
      byte_fallback_id_[b] = id == StringIndex::kNotFound ? -1 : static_cast<int64_t>(id);
    }
    if (ignore_merges_) {
      // Every token spelled in ByteLevel chars, as the raw bytes they stand for.
      std::string raw;
      raw.reserve(vocab_.size() * 8);
      std::vector<std::pair<size_t, size_t>> spans;  // into `raw`
      std::vector<uint32_t> values;
      spans.reserve(vocab_.size());
      values.reserve(vocab_.size());
      for (size_t k = 0; k < vocab_.size(); ++k) {
        std::string_view tok = vocab_.KeyAt(k);
        const size_t start = raw.size();
        bool ok = true;
        for (size_t i = 0; i < tok.size();) {
          int byte = unicode::CharToByte(unicode::NextChar(tok, i));
          if (byte < 0) {
            ok = false;
            break;
          }
          raw.push_back(static_cast<char>(byte));
        }
        if (!ok) {
          raw.resize(start);
          continue;
        }
        spans.emplace_back(start, raw.size() - start);
        values.push_back(vocab_.ValueAt(k));
      }
      std::vector<std::string_view> keys;
      keys.reserve(spans.size());
      for (const auto& [start, len] : spans) keys.emplace_back(raw.data() + start, len);
      raw_vocab_.InsertAll(keys, values);
    }
    serial_ = NextModelSerial();
    return Status::OK();
  }

  bool SupportsByteLevelInput() const override {
    return !(has_prefix_ && !prefix_.empty()) && !(has_suffix_ && !suffix_.empty());
  }

  void Prefetch(std::string_view piece, bool byte_level) const override {
    if (piece.empty() || piece.size() > 16 || dropout_ > 0.0) return;
    uint64_t a, b;
    ShortKeyWords(piece.data(), piece.size(), a, b);
    const uint64_t hash = HashShortWords(a, b, piece.size());
    const WordCache& cache = ThreadCache();
    if (cache.owner == serial_) cache.hot.Prefetch(hash);
    if (ignore_merges_) (byte_level ? raw_vocab_ : vocab_).PrefetchShort(hash);
  }

  Status Tokenize(std::string_view piece, bool byte_level, std::vector<ModelToken>& out) const override {
    if (piece.empty()) return Status::OK();
    const uint32_t piece_len = static_cast<uint32_t>(piece.size());
    const bool cacheable = dropout_ <= 0.0 && piece.size() < 256;
    WordCache& cache = ThreadCache();
    if (cacheable && (cache.owner != serial_ || cache.byte_level != byte_level)) {
      cache.Clear();
      cache.owner = serial_;
      cache.byte_level = byte_level;
    }
    // Short pieces: the per-thread memo of one-token words first, then the vocabulary itself
    // when merges are ignored for whole-vocabulary words.
    const bool short_piece = cacheable && piece.size() <= 16;
    uint64_t a = 0, b = 0, short_hash = 0;
    if (short_piece) {
      ShortKeyWords(piece.data(), piece.size(), a, b);
      short_hash = HashShortWords(a, b, piece.size());
      const uint32_t id = cache.hot.Find(a, b, piece.size(), short_hash);
      if (id != HotWordCache::kMiss) {
        out.push_back({id, 0, piece_len, TextKind(byte_level)});
        return Status::OK();
      }
    }
    if (ignore_merges_) {
      const StringIndex& index = byte_level ? raw_vocab_ : vocab_;
      const uint32_t id = short_piece ? index.FindShort(a, b, piece.size(), short_hash) : index.Find(piece);
      if (id != StringIndex::kNotFound) {
        if (short_piece) cache.hot.Put(a, b, piece.size(), short_hash, id);
        out.push_back({id, 0, piece_len, TextKind(byte_level)});
        return Status::OK();
      }
    }
    uint64_t hash = 0;
    if (cacheable) {
      hash = short_piece ? short_hash : HashBytes(piece);
      size_t n;
      uint8_t kind;
      if (const Symbol* hit = cache.Find(piece, hash, n, kind)) {
        Emit(hit, n, kind, out);
        return Status::OK();
      }
    }
    thread_local std::vector<Symbol> symbols;
    symbols.clear();
    const bool all_vocab = BuildSymbols(piece, byte_level, symbols);
    MergeAll(symbols);
    const uint8_t kind = all_vocab ? TextKind(byte_level) : kTokenTextVocab;
    Emit(symbols.data(), symbols.size(), kind, out);
    if (short_piece && all_vocab && symbols.size() == 1 && symbols[0].len == piece_len) {
      cache.hot.Put(a, b, piece.size(), short_hash, symbols[0].id);
    } else if (cacheable) {
      cache.Insert(piece, hash, symbols, kind);
    }
    return Status::OK();
  }

  Json ToJson() const override {
    Json j;
    j["type"] = "BPE";
    j["dropout"] = dropout_ > 0.0 ? Json(dropout_) : Json(nullptr);
    j["unk_token"] = unk_token_ ? Json(*unk_token_) : Json(nullptr);
    j["continuing_subword_prefix"] = has_prefix_ ? Json(prefix_) : Json(nullptr);
    j["end_of_word_suffix"] = has_suffix_ ? Json(suffix_) : Json(nullptr);
    j["fuse_unk"] = fuse_unk_;
    j["byte_fallback"] = byte_fallback_;
    j["ignore_merges"] = ignore_merges_;
    j["vocab"] = VocabJson();
    Json merges = Json::array();
    for (const auto& [a, b] : merge_list_) {
      if (merges_as_pairs_) {
        merges.push_back(Json::array({vocab_r_[a], vocab_r_[b]}));
      } else {
        merges.push_back(vocab_r_[a] + " " + vocab_r_[b]);
      }
    }
    j["merges"] = std::move(merges);
    return j;
  }

 private:
  // Per-thread cache of merged words (pre-tokens under 256 bytes): open addressing on the
  // 64-bit hash, keys and symbols in flat arrays; emptied when half full.
  struct WordCache {
    static constexpr size_t kMinSlots = 1u << 12;
    static constexpr size_t kMaxSlots = 1u << 18;  // at most 128k words, then emptied
    struct Slot {
      uint64_t hash;
      uint32_t key_offset;
      uint32_t sym_offset;
      uint16_t key_len;  // 0 = empty slot (empty pieces are never cached)
      uint16_t sym_count;
      uint8_t text_kind;
    };
    uint64_t owner = 0;
    bool byte_level = false;
    size_t used = 0;
    HotWordCache hot;  // one-token short words
    std::vector<Slot> slots;
    std::string keys;
    std::vector<Symbol> symbols;

    void Clear() {
      hot.Reset();
      slots.assign(kMinSlots, Slot{0, 0, 0, 0, 0, 0});
      keys.clear();
      symbols.clear();
      used = 0;
    }
    const Symbol* Find(std::string_view key, uint64_t hash, size_t& n, uint8_t& kind) const {
      const size_t mask = slots.size() - 1;
      size_t i = static_cast<size_t>(hash) & mask;
      while (true) {
        const Slot& s = slots[i];
        if (s.key_len == 0) return nullptr;
        if (s.hash == hash && s.key_len == key.size() &&
            std::memcmp(keys.data() + s.key_offset, key.data(), key.size()) == 0) {
          n = s.sym_count;
          kind = s.text_kind;
          return symbols.data() + s.sym_offset;
        }
        i = (i + 1) & mask;
      }
    }
    void Place(const Slot& slot) {
      const size_t mask = slots.size() - 1;
      size_t i = static_cast<size_t>(slot.hash) & mask;
      while (slots[i].key_len != 0) i = (i + 1) & mask;
      slots[i] = slot;
    }
    void Insert(std::string_view key, uint64_t hash, const std::vector<Symbol>& syms, uint8_t kind) {
      if (used * 2 >= slots.size()) {
        if (slots.size() < kMaxSlots) {
          std::vector<Slot> old(slots.size() * 2, Slot{0, 0, 0, 0, 0, 0});
          old.swap(slots);
          for (const Slot& s : old) {
            if (s.key_len != 0) Place(s);
          }
        } else {
          std::fill(slots.begin(), slots.end(), Slot{0, 0, 0, 0, 0, 0});
          keys.clear();
          symbols.clear();
          used = 0;
        }
      }
      Place(Slot{hash, static_cast<uint32_t>(keys.size()), static_cast<uint32_t>(symbols.size()),
                 static_cast<uint16_t>(key.size()), static_cast<uint16_t>(syms.size()), kind});
      keys.append(key);
      symbols.insert(symbols.end(), syms.begin(), syms.end());
      ++used;
    }
  };
  static WordCache& ThreadCache() {
    thread_local WordCache cache;
    return cache;
  }

  // How the strings of tokens built from vocabulary entries alone can be had without the vocab:
  // as the span itself, or (ByteLevel input) its ByteLevel chars. Only when every id has one
  // string and no prefix/suffix decorates the symbols.
  uint8_t TextKind(bool byte_level) const {
    if (!span_text_ok_) return kTokenTextVocab;
    return byte_level ? kTokenTextByteLevel : kTokenTextSpan;
  }

  static void Emit(const Symbol* symbols, size_t n, uint8_t kind, std::vector<ModelToken>& out) {
    uint32_t pos = 0;
    for (size_t i = 0; i < n; ++i) {
      out.push_back({symbols[i].id, pos, pos + symbols[i].len, kind});
      pos += symbols[i].len;
    }
  }

  // HF merge_word: one symbol per char (vocab entry, byte fallback, or unk; else dropped).
  // Returns whether every symbol is a vocabulary entry spelled by its own chars (no unk, no
  // byte fallback).
  bool BuildSymbols(std::string_view w, bool byte_level, std::vector<Symbol>& symbols) const {
    bool unknown = false;
    bool have_unk = false;
    Symbol unk{0, 0};
    auto flush_unk = [&]() {
      if (have_unk) {
        symbols.push_back(unk);
        have_unk = false;
      }
    };
    if (byte_level) {
      for (unsigned char b : w) {
        int64_t id = byte_to_id_[b];
        if (id >= 0) {
          flush_unk();
          symbols.push_back({static_cast<uint32_t>(id), 1});
          continue;
        }
        // The byte-level char of `b` is not in the vocabulary: same fallbacks as for a char.
        unknown = true;
        HandleUnknown(unicode::ByteToUtf8()[b], 1, symbols, have_unk, unk);
      }
      flush_unk();
      return !unknown;
    }
    std::string s;
    size_t i = 0;
    while (i < w.size()) {
      size_t start = i;
      i += unicode::CharLen(static_cast<unsigned char>(w[i]));
      uint32_t byte_len = static_cast<uint32_t>(i - start);
      std::string_view ch = w.substr(start, byte_len);
      const std::string* key_ptr = nullptr;
      bool decorated = (has_prefix_ && start != 0) || (has_suffix_ && i == w.size());
      if (decorated) {
        s.clear();
        if (has_prefix_ && start != 0) s += prefix_;
        s += ch;
        if (has_suffix_ && i == w.size()) s += suffix_;
        key_ptr = &s;
      }
      std::string_view key = key_ptr ? std::string_view(*key_ptr) : ch;
      const uint32_t id = vocab_.Find(key);
      if (id != StringIndex::kNotFound) {
        flush_unk();
        symbols.push_back({id, byte_len});
        continue;
      }
      unknown = true;
      HandleUnknown(key, byte_len, symbols, have_unk, unk);
    }
    flush_unk();
    return !unknown;
  }

  void HandleUnknown(std::string_view key, uint32_t byte_len, std::vector<Symbol>& symbols, bool& have_unk,
                     Symbol& unk) const {
    if (byte_fallback_) {
      bool all = true;
      for (unsigned char b : key) {
        if (byte_fallback_id_[b] < 0) {
          all = false;
          break;
        }
      }
      if (all) {
        // HF quirk kept: a pending unk is not flushed before the byte tokens.
        for (unsigned char b : key) symbols.push_back({static_cast<uint32_t>(byte_fallback_id_[b]), 1});
        return;
      }
    }
    if (!unk_token_) return;  // silently dropped
    if (!unk_id_) return;     // HF would fail on vocab[unk]; treat as dropped
    if (have_unk && fuse_unk_) {
      unk.len += byte_len;
    } else {
      if (have_unk) symbols.push_back(unk);
      unk = Symbol{*unk_id_, byte_len};
      have_unk = true;
    }
  }

  void MergeAll(std::vector<Symbol>& symbols) const {
    if (symbols.size() < 2) return;
    if (symbols.size() > 64 || dropout_ > 0.0) {
      MergeAllHeap(symbols);
      return;
    }
    // Small words: keep the rank of every adjacent pair and merge the minimum, leftmost first.
    constexpr uint32_t kNone = MergeMap::kNone;
    uint32_t ranks[64];
    size_t n = symbols.size();
    // The lookups are independent: start all the loads, then read them.
    for (size_t i = 0; i + 1 < n; ++i) merge_map_.Prefetch(symbols[i].id, symbols[i + 1].id);
    for (size_t i = 0; i + 1 < n; ++i) ranks[i] = merge_map_.Rank(symbols[i].id, symbols[i + 1].id);
    while (n > 1) {
      size_t best = 0;
      uint32_t best_rank = kNone;
      for (size_t i = 0; i + 1 < n; ++i) {
        if (ranks[i] < best_rank) {
          best_rank = ranks[i];
          best = i;
        }
      }
      if (best_rank == kNone) break;
      symbols[best].id = merge_map_.MergedId(symbols[best].id, symbols[best + 1].id, best_rank);
      symbols[best].len += symbols[best + 1].len;
      symbols.erase(symbols.begin() + static_cast<ptrdiff_t>(best) + 1);
      for (size_t k = best + 1; k + 2 < n; ++k) ranks[k] = ranks[k + 1];
      --n;
      if (best + 1 < n) merge_map_.Prefetch(symbols[best].id, symbols[best + 1].id);
      if (best > 0) merge_map_.Prefetch(symbols[best - 1].id, symbols[best].id);
      ranks[best] = best + 1 < n ? merge_map_.Rank(symbols[best].id, symbols[best + 1].id) : kNone;
      if (best > 0) ranks[best - 1] = merge_map_.Rank(symbols[best - 1].id, symbols[best].id);
    }
  }

  // HF Word::merge_all: a min-heap of (rank, position) with stale entries skipped.
  void MergeAllHeap(std::vector<Symbol>& symbols) const {
    struct Node {
      uint32_t id, len;
      int64_t prev, next;
    };
    std::vector<Node> nodes(symbols.size());
    for (size_t i = 0; i < symbols.size(); ++i) {
      nodes[i] = {symbols[i].id, symbols[i].len, static_cast<int64_t>(i) - 1,
                  i + 1 < symbols.size() ? static_cast<int64_t>(i + 1) : -1};
    }
    struct Cand {
      uint32_t rank;
      uint32_t pos;
      uint32_t new_id;
      uint32_t left_id, right_id;
      bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> queue;
    auto push = [&](size_t pos) {
      int64_t nx = nodes[pos].next;
      if (nx < 0) return;
      uint32_t rank, id;
      if (merge_map_.Get(nodes[pos].id, nodes[nx].id, rank, id)) {
        queue.push({rank, static_cast<uint32_t>(pos), id, nodes[pos].id, nodes[nx].id});
      }
    };
    for (size_t i = 0; i + 1 < nodes.size(); ++i) push(i);
    thread_local std::mt19937_64 rng(std::random_device{}());
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<Cand> skipped;
    while (!queue.empty()) {
      Cand top = queue.top();
      queue.pop();
      if (dropout_ > 0.0 && uniform(rng) < dropout_) {
        skipped.push_back(top);
        continue;
      }
      for (const Cand& c : skipped) queue.push(c);
      skipped.clear();
      Node& left = nodes[top.pos];
      if (left.len == 0 || left.next < 0 || left.id != top.left_id) continue;
      Node& right = nodes[left.next];
      if (right.id != top.right_id) continue;
      left.id = top.new_id;
      left.len += right.len;
      int64_t after = right.next;
      right.len = 0;
      left.next = after;
      if (after >= 0) nodes[after].prev = top.pos;
      push(top.pos);
      if (left.prev >= 0) push(static_cast<size_t>(left.prev));
    }
    symbols.clear();
    for (int64_t i = 0; i >= 0 && i < static_cast<int64_t>(nodes.size()); i = nodes[i].next) {
      symbols.push_back({nodes[i].id, nodes[i].len});
    }
  }

  StringIndex raw_vocab_;  // ByteLevel tokens spelled as raw bytes (for ignore_merges)
  MergeMap merge_map_;
  std::vector<std::pair<uint32_t, uint32_t>> merge_list_;
  bool merges_as_pairs_ = false;
  std::array<int64_t, 256> byte_to_id_{};
  std::array<int64_t, 256> byte_fallback_id_{};
  double dropout_ = 0.0;
  std::optional<std::string> unk_token_;
  std::optional<uint32_t> unk_id_;
  std::string prefix_, suffix_;
  bool has_prefix_ = false, has_suffix_ = false;
  bool fuse_unk_ = false, byte_fallback_ = false, ignore_merges_ = false;
  bool span_text_ok_ = false;  // see TextKind
  uint64_t serial_ = 0;
};

}  // namespace

Result<std::unique_ptr<Model>> MakeBpeModel(const Json& options, ModelTables tables, std::string_view path) {
  auto model = std::make_unique<BpeModel>();
  MHUB_RETURN_IF_ERROR(model->Init(options, std::move(tables), path));
  return std::unique_ptr<Model>(std::move(model));
}

}  // namespace mhub::tokenizers
