// Drives `mhub serve` endpoints with the unchanged npm clients: @huggingface/inference (endpointUrl)
// for every task, and openai (baseURL) for chat, completions, embeddings and models, streaming
// included. Usage: node serve_js_clients.js '<json: {"task name": "endpoint url", ..., "key": K}>'
// Each client call validates the answer's shape itself (InferenceOutputError otherwise); the checks
// here are properties of the task contracts. Prints a JSON object of results for the C++ test
// (the texts it compares across routes) and exits 0, or prints the failure and exits 1.
"use strict";
const path = require("path");
const nm = process.env.NODE_MODULES || path.join(__dirname, "../../node_modules");
const { InferenceClient } = require(path.join(nm, "@huggingface/inference"));
const OpenAI = require(path.join(nm, "openai"));

const urls = JSON.parse(process.argv[2]);
const key = urls.key;

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}
const near = (a, b, eps = 1e-4) => Math.abs(a - b) <= eps;

async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

async function encoderTasks(out) {
  const hf = (url) => new InferenceClient(key, { endpointUrl: url });

  const cls = await hf(urls.cls).textClassification({ inputs: "i love it" });
  check(cls.length === 3, "text-classification: every label");
  check(near(cls.reduce((s, x) => s + x.score, 0), 1), "text-classification: softmax scores sum to 1");
  check(new Set(cls.map((x) => x.label)).size === 3 && cls.every((x) => ["NEGATIVE", "POSITIVE", "NEUTRAL"].includes(x.label)),
        "text-classification: the config's labels");
  out.cls = cls;

  const text = "john lives in new york, hugging face inc.";
  const ner = await hf(urls.ner).tokenClassification({ inputs: text, parameters: { ignore_labels: [] } });
  check(ner.length > 0, "token-classification: entities");
  for (const e of ner) check(text.slice(e.start, e.end).replace(/ /g, "") === e.word.replace(/ /g, ""),
                             `token-classification: word ${JSON.stringify(e.word)} is text[${e.start}:${e.end}]`);
  out.ner = ner.length;

  const fill = await hf(urls.mlm).fillMask({ inputs: "paris is the [MASK] of france." });
  check(fill.length === 5, "fill-mask: top 5");
  for (let i = 1; i < fill.length; ++i) check(fill[i - 1].score >= fill[i].score, "fill-mask: best first");

  const context = "john lives in new york and the cat sat on the mat.";
  const qa = await hf(urls.qa).questionAnswering({ inputs: { question: "where does john live?", context } });
  check(context.slice(qa.start, qa.end) === qa.answer, "question-answering: answer is context[start:end]");
  check(qa.score >= 0 && qa.score <= 1, "question-answering: score is a probability");

  const labels = ["sports", "politics", "weather"];
  const zs = await hf(urls.nli).zeroShotClassification({ inputs: "the dog runs fast", parameters: { candidate_labels: labels } });
  check(zs.length === 3 && labels.every((l) => zs.some((x) => x.label === l)), "zero-shot: every candidate label");
  check(near(zs.reduce((s, x) => s + x.score, 0), 1), "zero-shot: scores sum to 1");

  const fe = await hf(urls.embed).featureExtraction({ inputs: "the cat sat" });
  const vec = Array.isArray(fe[0]) ? fe[0] : fe;
  check(near(Math.sqrt(vec.reduce((s, x) => s + x * x, 0)), 1), "feature-extraction: normalized");
  out.embedding = vec;
  const fe2 = await hf(urls.embed).featureExtraction({ inputs: ["the cat sat", "a dog runs fast"] });
  check(fe2.length === 2 && fe2[0].length === vec.length, "feature-extraction: one vector per input");

  const sim = await hf(urls.similarity).sentenceSimilarity({
    inputs: { source_sentence: "the cat sat", sentences: ["the cat sat", "a dog runs fast"] },
  });
  check(sim.length === 2 && near(sim[0], 1), "sentence-similarity: a sentence is similar to itself");

  // OpenAI embeddings: the SDK asks for base64 and decodes it; float explicitly too.
  const oe = new OpenAI({ baseURL: urls.embed + "/v1", apiKey: key || "none" });
  const b64 = await oe.embeddings.create({ model: "any", input: ["the cat sat", "a dog runs fast"] });
  const flt = await oe.embeddings.create({ model: "any", input: "the cat sat", encoding_format: "float" });
  check(b64.data.length === 2 && b64.data[1].index === 1, "embeddings: one per input, indexed");
  for (let i = 0; i < vec.length; ++i) {
    check(near(b64.data[0].embedding[i], vec[i], 1e-6), "embeddings: base64 equals the task API's vector");
    check(near(flt.data[0].embedding[i], vec[i], 1e-6), "embeddings: float equals the task API's vector");
  }
  check(b64.usage.prompt_tokens > 0 && b64.usage.total_tokens === b64.usage.prompt_tokens, "embeddings: usage");
}

async function generation(out) {
  const hf = new InferenceClient(key, { endpointUrl: urls.gen });
  const prompt = "Hello world";
  // textGeneration (>= 4.13.17) goes to /v1/completions with the TGI parameters flattened.
  const tg = await hf.textGeneration({ inputs: prompt, parameters: { max_new_tokens: 12, do_sample: false } });
  check(typeof tg.generated_text === "string" && tg.generated_text.length > 0, "textGeneration: text");
  out.textGeneration = tg.generated_text;
  const chunks = await collect(hf.textGenerationStream({ inputs: prompt, parameters: { max_new_tokens: 12, do_sample: false } }));
  const streamed = chunks.map((c) => (c.choices && c.choices.length ? c.choices[0].text || "" : c.token ? c.token.text : "")).join("");
  check(streamed === tg.generated_text, `textGenerationStream pieces ${JSON.stringify(streamed)} == textGeneration ${JSON.stringify(tg.generated_text)}`);

  const oa = new OpenAI({ baseURL: urls.gen + "/v1", apiKey: key || "none" });
  const cmpl = await oa.completions.create({ model: "any", prompt, max_tokens: 12, temperature: 0, logprobs: 2 });
  check(cmpl.object === "text_completion", "completions: object");
  check(cmpl.choices[0].text === tg.generated_text, "completions: same greedy text as textGeneration");
  const lp = cmpl.choices[0].logprobs;
  check(lp.tokens.join("") === cmpl.choices[0].text, "completions: logprobs tokens spell the text");
  check(lp.token_logprobs.every((x) => x <= 0), "completions: logprobs <= 0");
  check(lp.top_logprobs.every((m, i) => Object.values(m).length >= 1 && Math.max(...Object.values(m)) >= lp.token_logprobs[i] - 1e-5),
        "completions: greedy picks the best alternative");
  check(cmpl.usage.completion_tokens === lp.tokens.length && cmpl.usage.total_tokens === cmpl.usage.prompt_tokens + cmpl.usage.completion_tokens,
        "completions: usage");
  const cstream = await collect(await oa.completions.create({ model: "any", prompt, max_tokens: 12, temperature: 0, stream: true }));
  check(cstream.map((c) => c.choices[0]?.text || "").join("") === tg.generated_text, "completions stream == completions");
  check(cstream[cstream.length - 1].choices[0].finish_reason !== null, "completions stream: finish_reason last");

  // A stop string from the middle of the greedy text: OpenAI cuts before it.
  const text = tg.generated_text;
  const stop = text.slice(Math.floor(text.length / 2) - 1, Math.floor(text.length / 2) + 1);
  const stopped = await oa.completions.create({ model: "any", prompt, max_tokens: 12, temperature: 0, stop: [stop] });
  check(stopped.choices[0].text === text.slice(0, text.indexOf(stop)), `stop: ${JSON.stringify(stopped.choices[0].text)} is the text before ${JSON.stringify(stop)}`);
  check(stopped.choices[0].finish_reason === "stop", "stop: finish_reason stop");
  const stoppedStream = await collect(await oa.completions.create({ model: "any", prompt, max_tokens: 12, temperature: 0, stop: [stop], stream: true }));
  check(stoppedStream.map((c) => c.choices[0]?.text || "").join("") === stopped.choices[0].text, "stop: streamed == not streamed");
  out.stop = { stop, text: stopped.choices[0].text };
}

async function chat(out) {
  const oa = new OpenAI({ baseURL: urls.chat + "/v1", apiKey: key || "none" });
  const messages = [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi there" }];
  const full = await oa.chat.completions.create({ model: "any", messages, max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 3 });
  const msg = full.choices[0].message;
  check(full.object === "chat.completion" && msg.role === "assistant" && typeof msg.content === "string", "chat: message");
  const lp = full.choices[0].logprobs.content;
  check(lp.length === full.usage.completion_tokens, "chat: one logprob per completion token");
  check(lp.map((x) => x.token).join("") === msg.content, "chat: logprob tokens spell the content");
  for (const t of lp) {
    check(t.top_logprobs.length === 3, "chat: top_logprobs count");
    check(near(t.top_logprobs[0].logprob, t.logprob, 1e-5), "chat: greedy token is the best alternative");
    for (let i = 1; i < 3; ++i) check(t.top_logprobs[i - 1].logprob >= t.top_logprobs[i].logprob, "chat: alternatives best first");
  }
  check(full.usage.total_tokens === full.usage.prompt_tokens + full.usage.completion_tokens, "chat: usage adds up");
  const stream = await oa.chat.completions.create({
    model: "any", messages, max_tokens: 8, temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  const chunks = await collect(stream);
  check(chunks[0].choices[0].delta.role === "assistant", "chat stream: role first");
  const content = chunks.filter((c) => c.choices.length).map((c) => c.choices[0].delta.content || "").join("");
  check(content === msg.content, `chat stream ${JSON.stringify(content)} == chat ${JSON.stringify(msg.content)}`);
  const usage = chunks[chunks.length - 1];
  check(usage.choices.length === 0 && usage.usage.completion_tokens === full.usage.completion_tokens, "chat stream: usage chunk last");
  check(new Set(chunks.map((c) => c.id)).size === 1, "chat stream: one id");

  // The HF client's chatCompletion and stream against the same route.
  const hf = new InferenceClient(key, { endpointUrl: urls.chat });
  const hfc = await hf.chatCompletion({ messages, max_tokens: 8, temperature: 0 });
  check(hfc.choices[0].message.content === msg.content, "hf chatCompletion == openai");
  const hfs = await collect(hf.chatCompletionStream({ messages, max_tokens: 8, temperature: 0 }));
  check(hfs.map((c) => c.choices[0]?.delta?.content || "").join("") === msg.content, "hf chatCompletionStream == openai");

  const models = await oa.models.list();
  check(models.data.length === 1 && models.data[0].object === "model", "models.list");
  out.chat = msg.content;
  out.model = models.data[0].id;

  // Errors through the SDK: 400 with OpenAI's nested error for a bad parameter.
  try {
    await oa.chat.completions.create({ model: "any", messages, max_tokens: 8, temperature: 5 });
    check(false, "temperature 5 must be refused");
  } catch (e) {
    check(e.status === 400 && /temperature/.test(e.message), `bad temperature: 400 naming it, got ${e.status} ${e.message}`);
  }
}

async function main() {
  const out = {};
  if (urls.cls) await encoderTasks(out);
  if (urls.gen) await generation(out);
  if (urls.chat) await chat(out);
  if (urls.badKeyUrl) {
    const oa = new OpenAI({ baseURL: urls.badKeyUrl + "/v1", apiKey: "wrong-key", maxRetries: 0 });
    try {
      await oa.models.list();
      check(false, "a wrong key must be refused");
    } catch (e) {
      check(e.status === 401, `wrong key: 401, got ${e.status}`);
    }
    const ok = new OpenAI({ baseURL: urls.badKeyUrl + "/v1", apiKey: urls.goodKey });
    check((await ok.models.list()).data.length === 1, "right key: models.list");
    out.auth = "ok";
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.log("FAIL " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
