// The tiny BERT (3 labels) and GPT-2 configs the training tests build their random models from
// (models::NewTrainable), written once for the loop and LoRA tests that compare with PyTorch.
#pragma once

#include "mhub/base/json.h"

namespace mhub::train::testing {

inline Json TinyBertConfig() {
  return {{"model_type", "bert"},
          {"vocab_size", 40},
          {"hidden_size", 16},
          {"num_hidden_layers", 2},
          {"num_attention_heads", 2},
          {"intermediate_size", 24},
          {"max_position_embeddings", 16},
          {"type_vocab_size", 2},
          {"initializer_range", 0.1},
          {"pad_token_id", 0},
          {"hidden_act", "gelu"},
          {"hidden_dropout_prob", 0.0},
          {"attention_probs_dropout_prob", 0.0},
          {"id2label", {{"0", "a"}, {"1", "b"}, {"2", "c"}}}};
}

inline Json TinyGpt2Config() {
  return {{"model_type", "gpt2"},
          {"vocab_size", 48},
          {"n_positions", 16},
          {"n_embd", 16},
          {"n_layer", 2},
          {"n_head", 2},
          {"initializer_range", 0.1},
          {"resid_pdrop", 0.0},
          {"embd_pdrop", 0.0},
          {"attn_pdrop", 0.0},
          {"activation_function", "gelu_new"}};
}

}  // namespace mhub::train::testing
