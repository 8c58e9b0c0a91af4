// HF tokenizers' trainers (the Rust core through npm tokenizers@0.23.2) as the oracle for mhub's
// tokenizer trainers. The Node binding trains only with the model's default trainer
// (Tokenizer.train(files): BpeTrainer::default() etc.), so options cannot be passed here.
//
//   node train_oracle.js train IN_JSON OUT_JSON FILE...   train IN_JSON's pipeline, save to OUT_JSON
//                                                         (prints {"ms": training time})
//   node train_oracle.js encode TOKENIZER_JSON < texts.jsonl   one {"ids","tokens"} line per JSON string
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const tk = require(path.join(process.env.NODE_MODULES || path.join(__dirname, '../../node_modules'), 'tokenizers'));

async function main() {
  const [op, ...args] = process.argv.slice(2);
  if (op === 'train') {
    const [inJson, outJson, ...files] = args;
    const tok = tk.Tokenizer.fromString(fs.readFileSync(inJson, 'utf8'));
    const t0 = process.hrtime.bigint();
    tok.train(files);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    tok.save(outJson, false);
    process.stdout.write(JSON.stringify({ ms }) + '\n');
  } else if (op === 'encode') {
    const tok = tk.Tokenizer.fromFile(args[0]);
    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    const out = [];
    for await (const line of rl) {
      if (!line.trim()) continue;
      const e = await tok.encode(JSON.parse(line), null, { addSpecialTokens: true });
      out.push(JSON.stringify({ ids: e.getIds(), tokens: e.getTokens() }));
    }
    process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
  } else {
    process.stderr.write('usage: train_oracle.js train IN OUT FILE... | encode TOKENIZER_JSON\n');
    process.exit(2);
  }
}
main().catch((e) => {
  process.stderr.write(String(e && e.message ? e.message : e) + '\n');
  process.exit(1);
});
