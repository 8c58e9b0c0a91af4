// Shared by the models tests: tiny configs of every supported architecture, random inputs, and
// the PyTorch reference runner (tests/clients/models_reference.py).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/models/model.h"

namespace mhub::models::testing {

// A tiny config.json of `model_type` ("bert", "roberta", "distilbert", "gpt2", "llama",
// "mistral", "qwen2"), 2 layers, hidden 32, with weights spread enough (initializer_range 0.2)
// that outputs and greedy choices are well separated. `dtype` is "float32" or "bfloat16".
Json TinyConfig(const std::string& model_type, const std::string& dtype = "float32");

// Random ids in [first_id, vocab) for rows of the given lengths, right-padded with `pad_id` to the
// longest (attention_mask 0 there); token_type_ids random 0/1 when `token_types`.
ModelInputs RandomInputs(uint64_t seed, const std::vector<int64_t>& lengths, int64_t vocab, int64_t pad_id,
                         bool token_types = false, int64_t first_id = 3);

// {"input_ids": [[..]], "attention_mask": [[..]], "token_type_ids": [[..]]?} rows of `in`.
Json InputsJson(const ModelInputs& in);

// Runs the reference over {"jobs": jobs}; returns its "results" (same order) or fails the test.
Json RunReference(const Json& jobs, const std::string& work_dir);

// Largest |a - b| over two arrays of the same shape; +inf when shapes differ.
double MaxAbsDiff(const Array& a, const std::vector<int64_t>& b_shape, const std::vector<float>& b_values);
double MaxAbs(const std::vector<float>& values);

// `steps` greedy tokens after `prompt` (batch 1): with a KV cache (the prompt, then one token per
// step) or without (the whole sequence every step). On failure *st is set and the tokens so far are
// returned.
std::vector<int64_t> GreedyTokens(const CausalLM& lm, const std::vector<int64_t>& prompt, int steps, bool use_cache,
                                  Status* st);

// Every output in `theirs` (the reference's {"key": {"shape", "values"}}) is one of `ours` of the
// same shape within `rel_tolerance` x max(1, max|reference|), and not degenerate (max|reference| >
// 1e-3: parity over zeros would prove nothing); and `ours` has no other outputs. Prints one line per
// output labelled `name`.
void ExpectOutputsMatch(const std::string& name, const ModelOutputs& ours, const Json& theirs, double rel_tolerance);

}  // namespace mhub::models::testing
