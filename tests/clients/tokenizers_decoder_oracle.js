// Decoder oracle: runs decoders of the official HF `tokenizers` Node binding (Rust core 0.23.2).
// stdin: JSON array of {"decoder": <tokenizer.json decoder object>, "tokens": [string, ...]}.
// For each case a tiny tokenizer.json is built (WordLevel model whose vocab is exactly the tokens,
// the decoder under test) and decode(ids) is called, so field parsing is checked too.
// stdout: JSON array of {"ok": true, "text": string} or {"ok": false, "error": string}.
const path = require('path');
const { Tokenizer } = require(path.join(process.env.NODE_MODULES_DIR || 'node_modules', 'tokenizers'));

async function decodeOne(decoder, tokens) {
  const vocab = {};
  const ids = tokens.map((t) => {
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
    return vocab[t];
  });
  if (!('<unk>' in vocab)) vocab['<unk>'] = Object.keys(vocab).length;
  const json = {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: null, post_processor: null, decoder,
    model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
  };
  try {
    const tk = Tokenizer.fromString(JSON.stringify(json));
    return { ok: true, text: await tk.decode(ids, false) };
  } catch (e) {
    return { ok: false, error: String(e && e.message ? e.message : e) };
  }
}

(async () => {
  const input = require('fs').readFileSync(0, 'utf8');
  const cases = JSON.parse(input);
  const out = [];
  for (const c of cases) out.push(await decodeOne(c.decoder, c.tokens));
  process.stdout.write(JSON.stringify(out));
})();
