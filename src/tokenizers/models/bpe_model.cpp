// BPE (HF models/bpe): chars (or bytes, for ByteLevel input) -> symbols, then repeatedly merge the
// adjacent pair with the lowest merge rank, leftmost first. Results per pre-token are cached
// per thread.
#include <algorithm>
#include <atomic>
#include <queue>
#include <random>

#include "tokenizers/models/model.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

// Open-addressing map from a symbol pair to (rank, merged id).
class MergeMap {
 public:
  void Reserve(size_t n) {
    size_t cap = 16;
    while (cap < n * 2) cap <<= 1;
    slots_.assign(cap, Slot{kEmpty, 0, 0});
    mask_ = cap - 1;
  }
  void Put(uint32_t a, uint32_t b, uint32_t rank, uint32_t id) {
    uint64_t key = Key(a, b);
    size_t i = Hash(key) & mask_;
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask_;
    slots_[i] = Slot{key, rank, id};
  }
  // false when the pair has no merge.
  bool Get(uint32_t a, uint32_t b, uint32_t& rank, uint32_t& id) const {
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

 private:
  static constexpr uint64_t kEmpty = ~0ull;
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
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

struct Symbol {
  uint32_t id;
  uint32_t len;  // bytes
};

std::atomic<uint64_t> g_next_model_serial{1};

class BpeModel final : public Model {
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
    vocab_.reserve(tables.vocab.size());
    for (auto& [tok, id] : tables.vocab) vocab_[std::move(tok)] = id;
    vocab_r_ = InvertVocab(vocab_, &present_);
    merges_as_pairs_ = tables.merges_as_pairs;
    merge_map_.Reserve(tables.merges.size());
    merge_list_.reserve(tables.merges.size());
    std::string merged;
    for (size_t i = 0; i < tables.merges.size(); ++i) {
      const auto& [a, b] = tables.merges[i];
      auto ia = vocab_.find(a);
      auto ib = vocab_.find(b);
      auto ep = [&p, i]() { return p + ".merges[" + std::to_string(i) + "]"; };
      if (ia == vocab_.end()) return Status::InvalidArgument(ep() + ": names unknown token '" + a + "'");
      if (ib == vocab_.end()) return Status::InvalidArgument(ep() + ": names unknown token '" + b + "'");
      size_t skip = has_prefix_ ? prefix_.size() : 0;
      if (skip > b.size()) return Status::InvalidArgument(ep() + ": token '" + b + "' is shorter than the prefix");
      merged.assign(a);
      merged.append(b, skip, std::string::npos);
      auto im = vocab_.find(merged);
      if (im == vocab_.end())
        return Status::InvalidArgument(ep() + ": merged token '" + merged + "' is not in the vocab");
      merge_map_.Put(ia->second, ib->second, static_cast<uint32_t>(i), im->second);
      merge_list_.emplace_back(ia->second, ib->second);
    }
    if (unk_token_) {
      auto it = vocab_.find(*unk_token_);
      if (it != vocab_.end()) unk_id_ = it->second;
    }
    // ByteLevel raw-byte view of the vocabulary.
    byte_to_id_.fill(-1);
    const auto& b2u = unicode::ByteToUtf8();
    for (int b = 0; b < 256; ++b) {
      auto it = vocab_.find(b2u[b]);
      if (it != vocab_.end()) byte_to_id_[b] = static_cast<int64_t>(it->second);
    }
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      auto it = vocab_.find(std::string_view(name, 6));
      byte_fallback_id_[b] = it == vocab_.end() ? -1 : static_cast<int64_t>(it->second);
    }
    if (ignore_merges_) {
      raw_vocab_.reserve(vocab_.size());
      std::string raw;
      for (const auto& [tok, id] : vocab_) {
        raw.clear();
        bool ok = true;
        for (size_t i = 0; i < tok.size();) {
          int byte = unicode::CharToByte(unicode::NextChar(tok, i));
          if (byte < 0) {
            ok = false;
            break;
          }
          raw.push_back(static_cast<char>(byte));
        }
        if (ok) raw_vocab_.emplace(raw, id);
      }
    }
    serial_ = g_next_model_serial.fetch_add(1);
    return Status::OK();
  }

  bool SupportsByteLevelInput() const override {
    return !(has_prefix_ && !prefix_.empty()) && !(has_suffix_ && !suffix_.empty());
  }

  Status Tokenize(std::string_view piece, bool byte_level, std::vector<ModelToken>& out) const override {
    if (piece.empty()) return Status::OK();
    if (ignore_merges_) {
      const StringIdMap& map = byte_level ? raw_vocab_ : vocab_;
      auto it = map.find(piece);
      if (it != map.end()) {
        out.push_back({it->second, 0, static_cast<uint32_t>(piece.size())});
        return Status::OK();
      }
    }
    const bool cacheable = dropout_ <= 0.0 && piece.size() < 256;
    Cache& cache = ThreadCache();
    if (cacheable) {
      if (cache.owner != serial_ || cache.byte_level != byte_level) {
        cache.map.clear();
        cache.owner = serial_;
        cache.byte_level = byte_level;
      }
      auto it = cache.map.find(piece);
      if (it != cache.map.end()) {
        Emit(it->second, out);
        return Status::OK();
      }
    }
    std::vector<Symbol> symbols;
    symbols.reserve(piece.size());
    BuildSymbols(piece, byte_level, symbols);
    MergeAll(symbols);
    Emit(symbols, out);
    if (cacheable) {
      if (cache.map.size() >= kCacheCapacity) cache.map.clear();
      cache.map.emplace(std::string(piece), std::move(symbols));
    }
    return Status::OK();
  }

  std::optional<uint32_t> TokenToId(std::string_view token) const override {
    auto it = vocab_.find(token);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
  }
  const std::string* IdToToken(uint32_t id) const override {
    return id < vocab_r_.size() && present_[id] ? &vocab_r_[id] : nullptr;
  }
  size_t VocabSize() const override { return vocab_.size(); }
  std::unordered_map<std::string, uint32_t> GetVocab() const override { return {vocab_.begin(), vocab_.end()}; }

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
    j["vocab"] = VocabToJson(vocab_r_, present_);
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
  static constexpr size_t kCacheCapacity = 65536;
  struct Cache {
    uint64_t owner = 0;
    bool byte_level = false;
    std::unordered_map<std::string, std::vector<Symbol>, StringHash, std::equal_to<>> map;
  };
  static Cache& ThreadCache() {
    thread_local Cache cache;
    return cache;
  }

  static void Emit(const std::vector<Symbol>& symbols, std::vector<ModelToken>& out) {
    uint32_t pos = 0;
    for (const Symbol& s : symbols) {
      out.push_back({s.id, pos, pos + s.len});
      pos += s.len;
    }
  }

  // HF merge_word: one symbol per char (vocab entry, byte fallback, or unk; else dropped).
  void BuildSymbols(std::string_view w, bool byte_level, std::vector<Symbol>& symbols) const {
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
        HandleUnknown(unicode::ByteToUtf8()[b], 1, symbols, have_unk, unk);
      }
      flush_unk();
      return;
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
      auto it = vocab_.find(key);
      if (it != vocab_.end()) {
        flush_unk();
        symbols.push_back({it->second, byte_len});
        continue;
      }
      HandleUnknown(key, byte_len, symbols, have_unk, unk);
    }
    flush_unk();
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
    constexpr uint32_t kNone = ~0u;
    uint32_t ranks[64];
    uint32_t ids[64];
    size_t n = symbols.size();
    for (size_t i = 0; i + 1 < n; ++i) {
      if (!merge_map_.Get(symbols[i].id, symbols[i + 1].id, ranks[i], ids[i])) ranks[i] = kNone;
    }
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
      symbols[best].id = ids[best];
      symbols[best].len += symbols[best + 1].len;
      symbols.erase(symbols.begin() + static_cast<ptrdiff_t>(best) + 1);
      for (size_t k = best + 1; k + 2 < n; ++k) {
        ranks[k] = ranks[k + 1];
        ids[k] = ids[k + 1];
      }
      --n;
      if (best + 1 < n) {
        if (!merge_map_.Get(symbols[best].id, symbols[best + 1].id, ranks[best], ids[best])) ranks[best] = kNone;
      } else {
        ranks[best] = kNone;
      }
      if (best > 0) {
        if (!merge_map_.Get(symbols[best - 1].id, symbols[best].id, ranks[best - 1], ids[best - 1]))
          ranks[best - 1] = kNone;
      }
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

  StringIdMap vocab_;
  StringIdMap raw_vocab_;  // ByteLevel tokens spelled as raw bytes (for ignore_merges)
  std::vector<std::string> vocab_r_;
  std::vector<bool> present_;
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
  uint64_t serial_ = 0;
};

}  // namespace

Result<std::unique_ptr<Model>> MakeBpeModel(const Json& options, ModelTables tables, std::string_view path) {
  auto model = std::make_unique<BpeModel>();
  MHUB_RETURN_IF_ERROR(model->Init(options, std::move(tables), path));
  return std::unique_ptr<Model>(std::move(model));
}

}  // namespace mhub::tokenizers
