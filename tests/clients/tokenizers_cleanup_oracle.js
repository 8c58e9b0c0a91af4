// transformers.js (npm @lenml/tokenizers, GPT-2 files) decoding with and without
// clean_up_tokenization_spaces. stdin: JSON array of strings. stdout: JSON array of
// [decoded_raw, decoded_cleaned] pairs.
const path = require('path');
const { fromPreTrained } = require(path.join(process.env.NODE_MODULES_DIR || 'node_modules', '@lenml', 'tokenizer-gpt2'));
const tok = fromPreTrained();
const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = texts.map((t) => {
  const ids = tok.encode(t, { add_special_tokens: false });
  return [tok.decode(ids, { clean_up_tokenization_spaces: false }), tok.decode(ids, { clean_up_tokenization_spaces: true })];
});
process.stdout.write(JSON.stringify(out));
