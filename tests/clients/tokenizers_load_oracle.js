// Load oracle: does the official HF `tokenizers` Node binding (Rust core 0.23.2) accept a
// tokenizer.json? stdin: JSON array of tokenizer.json texts. stdout: JSON array of
// {"ok": true} or {"ok": false, "error": string}, one per input.
const path = require('path');
const { Tokenizer } = require(path.join(process.env.NODE_MODULES_DIR || 'node_modules', 'tokenizers'));

const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = texts.map((text) => {
  try {
    Tokenizer.fromString(text);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify(out));
