// Chat-template oracle: renders templates with @huggingface/jinja (the Jinja implementation that
// transformers.js uses for apply_chat_template).
// stdin: JSON array of {"template": string, "vars": object}.
// stdout: JSON array of {"ok": true, "text": string} or {"ok": false, "error": string}.
const path = require('path');
const { Template } = require(path.join(process.env.NODE_MODULES_DIR || 'node_modules', '@huggingface', 'jinja'));

const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map((c) => {
  try {
    return { ok: true, text: new Template(c.template).render(c.vars) };
  } catch (e) {
    return { ok: false, error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify(out));
