// Small tokenizer.json files for `mhub new-model`: enough to run every task on a fresh model
// folder, in the formats transformers and the HF `tokenizers` library read.
#pragma once

#include "mhub/base/json.h"

namespace mhub::cli {

// BERT-uncased style WordPiece: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then punctuation,
// digits, letters and their "##" forms (so every ASCII word encodes), then common English words.
Json StarterWordPieceTokenizer();

// GPT-2 style byte-level BPE over the 256 byte symbols (no merges, so any text encodes), then
// "<|endoftext|>" as the last id (BOS, EOS and padding).
Json StarterByteLevelTokenizer();

}  // namespace mhub::cli
