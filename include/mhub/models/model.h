// The model interface the pipelines and servers use: one object per loaded checkpoint, a task
// head on top of an architecture (BERT, RoBERTa, DistilBERT, GPT-2, Llama, Mistral, Qwen2).
//
// Tensors cross this API as plain row-major f32 arrays (`Array`), so callers need nothing from
// mhub_core. Token ids are int64 as in transformers.
//
// Thread safety: a Model is immutable after loading except for lazily prepared weights, which
// are guarded internally; Forward may be called from several threads at once on one Model, but
// one KvCache must be used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::models {

// The head on top of the base model (transformers' class suffix).
enum class Task {
  kBase,                    // AutoModel: last_hidden_state (+ pooler_output for BERT/RoBERTa)
  kSequenceClassification,  // logits (B, num_labels)
  kTokenClassification,     // logits (B, T, num_labels)
  kMaskedLM,                // logits (B, T, V)
  kQuestionAnswering,       // start_logits, end_logits (B, T)
  kCausalLM,                // logits (B, T, V) or the last position (B, V)
};

// "base", "sequence-classification", "token-classification", "masked-lm", "question-answering",
// "causal-lm".
const char* TaskName(Task task);

// A dense row-major f32 array. `values.size()` equals the product of `shape`.
struct Array {
  std::vector<int64_t> shape;
  std::vector<float> values;

  int64_t numel() const;
  // Element at a multi-index (no bounds checks beyond an assert).
  float at(std::initializer_list<int64_t> index) const;
};

// One batch for Forward. Sizes are (batch, seq_len), row-major.
struct ModelInputs {
  int64_t batch = 0;
  int64_t seq_len = 0;
  std::vector<int64_t> input_ids;       // (B, T), required
  std::vector<int64_t> attention_mask;  // (B, T) 1 = token, 0 = padding; empty = all ones
  std::vector<int64_t> token_type_ids;  // (B, T); empty = zeros (BERT only)
  std::vector<int64_t> position_ids;    // (B, T); empty = the architecture's default
};

// Named outputs as in transformers' ModelOutput: "last_hidden_state" (B,T,H), "pooler_output"
// (B,H), "logits", "start_logits"/"end_logits" (B,T).
using ModelOutputs = std::map<std::string, Array>;

// What the pipelines read from config.json without knowing the architecture.
struct ModelInfo {
  std::string model_type;    // "bert", "roberta", "distilbert", "gpt2", "llama", "mistral", "qwen2"
  std::string architecture;  // config "architectures"[0], or the one this object was built as
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_layers = 0;
  int64_t max_position_embeddings = 0;  // usable positions (RoBERTa: minus the padding offset)
  int64_t num_labels = 0;               // classification heads; 0 otherwise
  std::vector<std::string> id2label;    // index = class id; "LABEL_i" when the config has none
  std::map<std::string, int64_t> label2id;
  int64_t pad_token_id = -1;  // -1 when absent
  int64_t bos_token_id = -1;
  std::vector<int64_t> eos_token_ids;  // config eos_token_id (int or list); may be empty
  bool is_decoder = false;             // causal LM architectures
  std::string weight_dtype;            // "F32", "BF16" or "F16" as stored in the checkpoint
};

class Model {
 public:
  virtual ~Model() = default;

  Task task() const { return task_; }
  const ModelInfo& info() const { return info_; }
  // config.json as loaded (or as built by FromConfig), with unknown keys preserved.
  const Json& config_json() const { return config_json_; }

  // Runs the whole batch. InvalidArgument when shapes disagree, an id is out of range, or the
  // sequence is longer than the position table.
  virtual Result<ModelOutputs> Forward(const ModelInputs& inputs) const = 0;

  // Writes config.json and model.safetensors (or model-0000i-of-0000n.safetensors plus
  // model.safetensors.index.json when the weights exceed `max_shard_size` bytes) with the HF
  // tensor names of this head, so transformers can load the folder. Tied weights are not written.
  virtual Status SavePretrained(const std::string& dir, int64_t max_shard_size = 5'000'000'000) const = 0;

  // Every weight by its HF checkpoint name (tied weights listed once), for tests and tools.
  virtual std::vector<std::string> WeightNames() const = 0;

 protected:
  Task task_ = Task::kBase;
  ModelInfo info_;
  Json config_json_;
};

// Keys and values of past positions for one CausalLM and one batch. Opaque; create it with
// CausalLM::NewCache. Positions are appended by Forward; Reset empties it for reuse.
class KvCache {
 public:
  virtual ~KvCache() = default;
  virtual int64_t batch() const = 0;
  virtual int64_t max_len() const = 0;
  virtual int64_t length() const = 0;  // positions held (the same for every row)
  virtual void Reset() = 0;
};

// Paged keys/values for continuous batching: `num_blocks` blocks of `block_size` positions, each
// holding every layer's keys and values for those positions. Storage only: which sequence owns
// which block (allocation, sharing, ref counts) is the caller's business. Create with
// CausalLM::NewPagedPool; one ForwardPaged at a time per pool.
class PagedKvPool {
 public:
  virtual ~PagedKvPool() = default;
  virtual int64_t num_blocks() const = 0;
  virtual int64_t block_size() const = 0;
  virtual int64_t bytes() const = 0;  // memory the blocks take
};

// One sequence's share of a ForwardPaged step: `tokens` follow the `past` positions already in its
// blocks. `blocks[i]` holds positions [i * block_size, (i + 1) * block_size); the list must cover
// past + tokens.size() positions. Blocks are read for [0, past) and written for the new positions,
// so a block shared by several sequences must lie wholly below each sharer's `past`.
struct PagedSequence {
  std::vector<int64_t> tokens;
  int64_t past = 0;
  std::vector<int32_t> blocks;
  bool want_logits = true;  // false for a prefill chunk that is not the prompt's last
};

class CausalLM : public Model {
 public:
  // A cache for `batch` rows and up to `max_len` positions (prompt + generated).
  virtual Result<std::unique_ptr<KvCache>> NewCache(int64_t batch, int64_t max_len) const = 0;

  // Feeds `input_ids` (B, T) after whatever `cache` holds and appends them to it.
  // `attention_mask` (B, T) marks padding among the new positions (left padding for batched
  // generation); the cache remembers it for later steps. Position ids follow transformers'
  // generate(): the count of real tokens before each position in its row.
  // Returns logits (B, V) of the last position, or (B, T, V) when `all_positions`.
  // `cache` may be null: then no past, nothing kept. On error the cache is left as it was.
  // ResourceExhausted when the cache has no room for T more positions.
  virtual Result<Array> ForwardCausal(const ModelInputs& inputs, KvCache* cache, bool all_positions = false) const = 0;

  // A paged pool (see PagedKvPool). Unsupported for architectures without a paged path.
  virtual Result<std::unique_ptr<PagedKvPool>> NewPagedPool(int64_t num_blocks, int64_t block_size) const;
  // One step over sequences at different positions (continuous batching): their new tokens run
  // through the projections and MLPs as one (sum of tokens, C) batch; attention is per sequence over
  // its own blocks. Position ids are past + t (no padding). Returns logits (W, V) of the last new
  // token of each sequence with want_logits, in order. InvalidArgument on bad ids, blocks that do
  // not cover the positions or a pool of another model; the blocks' contents for the new positions
  // are unspecified after an error.
  virtual Result<Array> ForwardPaged(const std::vector<PagedSequence>& sequences, PagedKvPool& pool) const;
};

}  // namespace mhub::models
