// Oracle for mhub's question-answering preparation: HF `tokenizers` (npm binding, the Rust core)
// tokenizes (question, context) pairs with truncation only_second, stride and max_length padding as
// transformers' run_qa.py asks its fast tokenizer to, and this script then applies run_qa's
// prepare_train_features (start/end positions, CLS for answers outside the window) and
// prepare_validation_features (offsets of context tokens only) rules, rewritten here in JS.
//
//   node qa_prepare.js TOKENIZER_JSON < {"max_length","doc_stride","examples":[{id,question,context,answers}]}
// prints {"features":[{example_index,input_ids,token_type_ids,attention_mask,start,end,offsets}]}
'use strict';
const fs = require('fs');
const path = require('path');
const tk = require(path.join(process.env.NODE_MODULES || path.join(__dirname, '../../../node_modules'), 'tokenizers'));

async function main() {
  const req = JSON.parse(fs.readFileSync(0, 'utf8'));
  const tok = tk.Tokenizer.fromFile(process.argv[2]);
  const padId = tok.tokenToId('[PAD]');
  const clsId = tok.tokenToId('[CLS]');
  tok.setTruncation(req.max_length, { stride: req.doc_stride, strategy: 'OnlySecond' });
  tok.setPadding({ maxLength: req.max_length, padId, padToken: '[PAD]' });
  const features = [];
  for (let i = 0; i < req.examples.length; i++) {
    const ex = req.examples[i];
    const first = await tok.encode(ex.question.replace(/^\s+/, ''), ex.context);
    // Python's fast tokenizer returns the main encoding then its overflowing windows.
    const windows = [first, ...first.getOverflowing()];
    for (const enc of windows) {
      const ids = enc.getIds();
      const offsets = enc.getOffsets();
      const seq = enc.getSequenceIds();
      let cls = ids.indexOf(clsId);
      if (cls < 0) cls = 0;
      let start = cls, end = cls;
      const answers = ex.answers;
      if (answers.answer_start.length > 0) {
        const startChar = answers.answer_start[0];
        const endChar = startChar + [...answers.text[0]].length;
        let ts = 0;
        while (seq[ts] !== 1) ts++;
        let te = ids.length - 1;
        while (seq[te] !== 1) te--;
        if (offsets[ts][0] <= startChar && offsets[te][1] >= endChar) {
          while (ts < offsets.length && offsets[ts][0] <= startChar) ts++;
          start = ts - 1;
          while (offsets[te][1] >= endChar) te--;
          end = te + 1;
        }
      }
      features.push({
        example_index: i,
        input_ids: ids,
        token_type_ids: enc.getTypeIds(),
        attention_mask: enc.getAttentionMask(),
        start,
        end,
        offsets: offsets.map((o, k) => (seq[k] === 1 ? o : null)),
      });
    }
  }
  console.log(JSON.stringify({ features }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
