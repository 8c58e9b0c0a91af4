// Hub API conformance seen through the real @huggingface/hub client (issue 21): the behaviours its
// own test suite relies on. Usage:
//   node server_conformance_client.js <hubUrl> <section> <alice write token> <bob write token>
// Sections: dash-names, anonymous, license, filters, redirects, legacy, pipeline, collections.
// Prints "OK <section>" and exits 0 when every check holds; otherwise prints the failure, exits 1.
"use strict";
const path = require("path");
const hub = require(path.join(process.env.NODE_MODULES || path.join(__dirname, "../../node_modules"), "@huggingface/hub"));

const [hubUrl, section, aliceToken, bobToken] = process.argv.slice(2);
const alice = { hubUrl, accessToken: aliceToken };
const bob = { hubUrl, accessToken: bobToken };
const anon = { hubUrl };

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

// The HubApiError status of a call that must fail (anything else fails the check).
async function failureStatus(promise, what) {
  try {
    await promise;
  } catch (err) {
    check(err instanceof hub.HubApiError, `${what}: threw ${err && err.constructor && err.constructor.name}: ${err}`);
    return err.statusCode;
  }
  throw new Error(`check failed: ${what} did not fail`);
}

async function upload(repoName, files, creds = alice) {
  await hub.uploadFiles({
    ...creds,
    repo: { type: "model", name: repoName },
    commitTitle: "seed",
    files: Object.entries(files).map(([p, text]) => ({ path: p, content: new Blob([text]) })),
  });
}

async function create(repoName, extra = {}, creds = alice) {
  await hub.createRepo({ ...creds, repo: { type: "model", name: repoName }, ...extra });
}

const sections = {
  // 1. "--" names read like any missing repo (404 signed in, 401 anonymous); only creating refuses.
  async "dash-names"() {
    const repo = { name: "i--d/dont", type: "model" };
    check((await failureStatus(hub.checkRepoAccess({ ...anon, repo }), "anonymous checkRepoAccess")) === 401, "401 anonymous");
    check((await failureStatus(hub.checkRepoAccess({ ...alice, repo }), "signed-in checkRepoAccess")) === 404, "404 signed in");
    check((await hub.repoExists({ ...alice, repo })) === false, "repoExists false");
    check((await hub.fileExists({ ...alice, repo, path: "config.json" })) === false, "fileExists false");
    const status = await failureStatus(hub.createRepo({ ...alice, repo: { type: "model", name: "alice/a--b" } }), "create a--b");
    check(status === 400, `creating a--b answers 400, got ${status}`);
  },

  // 2. Missing and private repos: 401 to anonymous callers, 404 to signed-in ones.
  async anonymous() {
    // alice/secret: created private by the C++ side.
    for (const name of ["alice/nope", "alice/secret"]) {
      const repo = { name, type: "model" };
      check((await failureStatus(hub.checkRepoAccess({ ...anon, repo }), `anonymous ${name}`)) === 401, `401 for ${name}`);
      check((await failureStatus(hub.checkRepoAccess({ ...bob, repo }), `bob ${name}`)) === 404, `404 for bob on ${name}`);
      // HEAD answers carry no JSON label, so fileExists reports the 401 as an API error.
      const st = await failureStatus(hub.fileExists({ ...anon, repo, path: "README.md" }), `anonymous fileExists ${name}`);
      check(st === 401, `anonymous fileExists ${name} -> ${st}`);
      check((await hub.fileExists({ ...bob, repo, path: "README.md" })) === false, `bob fileExists ${name}`);
    }
    await hub.checkRepoAccess({ ...alice, repo: { name: "alice/secret", type: "model" } });
  },

  // 3. `license` on create writes README.md with the license in its front matter.
  async license() {
    await create("alice/licensed", { license: "apache-2.0" });
    check(await hub.fileExists({ ...alice, repo: { type: "model", name: "alice/licensed" }, path: "README.md" }), "README.md exists");
    const blob = await hub.downloadFile({ ...alice, repo: { type: "model", name: "alice/licensed" }, path: "README.md" });
    const text = await blob.text();
    check(/^---\n(.*\n)*license: apache-2.0\n(.*\n)*---\n/.test(text), `README front matter: ${JSON.stringify(text)}`);
    const info = await hub.modelInfo({ ...alice, name: "alice/licensed", additionalFields: ["cardData", "tags"] });
    check(info.cardData && info.cardData.license === "apache-2.0", `cardData.license ${JSON.stringify(info.cardData)}`);
    check(info.tags.includes("license:apache-2.0"), `tags ${info.tags}`);
    await create("alice/unlicensed");
    check(!(await hub.fileExists({ ...alice, repo: { type: "model", name: "alice/unlicensed" }, path: "README.md" })), "no README without license");
  },

  // 4. Search filters: apps, inference_provider, other; unknown ones are refused, never ignored.
  async filters() {
    await create("alice/gguf-llm");
    await upload("alice/gguf-llm", { "README.md": "---\ntags: [gguf]\npipeline_tag: text-generation\n---\n" });
    await create("alice/mlx-llm");
    await upload("alice/mlx-llm", { "README.md": "---\ntags: [mlx]\npipeline_tag: text-generation\n---\n" });
    await create("alice/mlx-asr");
    await upload("alice/mlx-asr", { "README.md": "---\ntags: [mlx]\npipeline_tag: automatic-speech-recognition\n---\n" });
    await create("alice/plain");
    await upload("alice/plain", { "README.md": "---\ntags: [other-tag]\n---\n" });
    const names = async (search) =>
      (await collect(hub.listModels({ ...anon, search: { owner: "alice", ...search } }))).map((m) => m.name).sort();
    const all = await names({});
    check(all.length === 4, `unfiltered ${all}`);
    const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    let got = await names({ apps: ["llama.cpp"] });
    check(eq(got, ["alice/gguf-llm"]), `apps=llama.cpp -> ${got}`);
    got = await names({ apps: ["mlx-lm"] });
    check(eq(got, ["alice/mlx-llm"]), `apps=mlx-lm -> ${got}`);
    got = await names({ apps: ["lmstudio"] });
    check(eq(got, ["alice/gguf-llm", "alice/mlx-asr", "alice/mlx-llm"]), `apps=lmstudio -> ${got}`);
    got = await names({ inferenceProviders: ["together"] });
    check(eq(got, []), `inference_provider=together -> ${got}`);
    got = await names({ tags: ["other-tag"] });
    check(eq(got, ["alice/plain"]), `filter=other-tag -> ${got}`);
    const bad = async (qs) => {
      const r = await fetch(`${hubUrl}/api/models?${qs}`);
      return r.status;
    };
    check((await bad("other=mlx,text-generation&author=alice")) === 200, "other= accepted");
    const other = await (await fetch(`${hubUrl}/api/models?other=mlx,text-generation&author=alice`)).json();
    check(eq(other.map((m) => m.id).sort(), ["alice/mlx-llm"]), `other=mlx,text-generation -> ${JSON.stringify(other)}`);
    check((await bad("apps=not-an-app")) === 400, "unknown app -> 400");
    check((await bad("inference_provider=not-a-provider")) === 400, "unknown provider -> 400");
    check((await bad("colour=blue")) === 400, "unknown parameter -> 400");
    const status = await failureStatus(collect(hub.listModels({ ...anon, search: { apps: ["not-an-app"] } })), "listModels unknown app");
    check(status === 400, `listModels with an unknown app -> ${status}`);
  },

  // 5a. A moved repo keeps answering at its old name (307 to the new one).
  async redirects() {
    await create("alice/old-name");
    await upload("alice/old-name", { "config.json": JSON.stringify({ architectures: ["BertForMaskedLM"] }) });
    const moved = await fetch(`${hubUrl}/api/repos/move`, {
      method: "POST",
      headers: { Authorization: `Bearer ${aliceToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ fromRepo: "alice/old-name", toRepo: "alice/new-name", type: "model" }),
    });
    check(moved.ok, `move ${moved.status}`);
    const oldRepo = { type: "model", name: "alice/old-name" };
    check(await hub.fileExists({ ...alice, repo: oldRepo, path: "config.json" }), "fileExists through the old name");
    check(await hub.fileExists({ ...anon, repo: oldRepo, path: "config.json" }), "anonymous fileExists through the old name");
    check(!(await hub.fileExists({ ...alice, repo: oldRepo, path: "missing.json" })), "missing file through the old name");
    const info = await hub.modelInfo({ ...alice, name: "alice/old-name" });
    check(info.name === "alice/new-name", `modelInfo through the old name: ${info.name}`);
    const blob = await hub.downloadFile({ ...alice, repo: oldRepo, path: "config.json" });
    check((await blob.text()).includes("BertForMaskedLM"), "download through the old name");
    check(!(await hub.fileExists({ ...alice, repo: { type: "model", name: "alice/never-was" }, path: "config.json" })), "no redirect for a never-existing name");
  },

  // 5b. Admin-declared legacy ids ("gpt2") redirect; unknown one-part ids are misses, not 501s.
  async legacy() {
    const repo = { type: "model", name: "gpt2" };
    check(await hub.fileExists({ ...anon, repo, path: "config.json" }), "fileExists gpt2/config.json");
    check(!(await hub.fileExists({ ...alice, repo, path: "nope.json" })), "fileExists gpt2/nope.json");
    const info = await hub.modelInfo({ ...anon, name: "gpt2" });
    check(info.name === "openai-community/gpt2", `modelInfo gpt2 -> ${info.name}`);
    const unknown = { type: "model", name: "roberta-base" };
    check(!(await hub.fileExists({ ...alice, repo: unknown, path: "config.json" })), "unknown legacy id: fileExists false");
    const st = await failureStatus(hub.fileExists({ ...anon, repo: unknown, path: "config.json" }), "anonymous unknown legacy");
    check(st === 401, `anonymous unknown legacy id -> ${st}`);
    const ds = await fetch(`${hubUrl}/api/datasets/xsum/tree/main`, { headers: { Authorization: `Bearer ${aliceToken}` } });
    check(ds.status === 404 && ds.headers.get("x-error-code") === "RepoNotFound", `datasets/xsum tree -> ${ds.status}`);
  },

  // 6. pipeline_tag inferred from config.json when the card names none.
  async pipeline() {
    const cases = {
      "alice/gen": ["GPT2LMHeadModel", "text-generation"],
      "alice/cls": ["BertForSequenceClassification", "text-classification"],
      "alice/mlm": ["RobertaForMaskedLM", "fill-mask"],
      "alice/ner": ["DistilBertForTokenClassification", "token-classification"],
      "alice/qa": ["BertForQuestionAnswering", "question-answering"],
    };
    for (const [name, [arch]] of Object.entries(cases)) {
      await create(name);
      await upload(name, { "config.json": JSON.stringify({ architectures: [arch], model_type: "x" }) });
    }
    for (const [name, [arch, task]] of Object.entries(cases)) {
      const info = await hub.modelInfo({ ...anon, name, additionalFields: ["library_name", "cardData"] });
      check(info.task === task, `${arch}: pipeline_tag ${info.task}, want ${task}`);
      check(info.library_name === "transformers", `${arch}: library_name ${info.library_name}`);
      const listed = await collect(hub.listModels({ ...anon, search: { owner: "alice", task } }));
      check(listed.some((m) => m.name === name && m.task === task), `listModels task=${task} lists ${name}`);
    }
    // The card's own pipeline_tag wins.
    await create("alice/carded");
    await upload("alice/carded", {
      "config.json": JSON.stringify({ architectures: ["GPT2LMHeadModel"] }),
      "README.md": "---\npipeline_tag: summarization\n---\n",
    });
    const info = await hub.modelInfo({ ...anon, name: "alice/carded" });
    check(info.task === "summarization", `card pipeline_tag kept: ${info.task}`);
  },

  // 7. Collections: create, read, list by owner, add items, delete; privacy follows the owner.
  async collections() {
    await create("alice/in-collection");
    const made = await hub.createCollection({
      ...alice,
      collection: { title: "My Picks", namespace: "alice", description: "picked", private: false },
    });
    check(/^alice\/my-picks-[0-9a-f]{24}$/.test(made.slug), `slug ${made.slug}`);
    const add = await fetch(`${hubUrl}/api/collections/${made.slug}/items`, {
      method: "POST",
      headers: { Authorization: `Bearer ${aliceToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ item: { type: "model", id: "alice/in-collection" }, note: "a note" }),
    });
    check(add.ok, `add item ${add.status}`);
    const info = await (await fetch(`${hubUrl}/api/collections/${made.slug}`)).json();
    check(info.slug === made.slug && info.title === "My Picks" && info.private === false, `info ${JSON.stringify(info)}`);
    check(info.owner.name === "alice" && info.owner.type === "user", "owner");
    check(info.items.length === 1 && info.items[0].id === "alice/in-collection" && info.items[0].type === "model", "items");
    check(info.items[0].note.text === "a note" && info.items[0].position === 0, "item note and position");
    const listed = await collect(hub.listCollections({ ...anon, search: { owner: ["alice"] } }));
    check(listed.some((c) => c.slug === made.slug), `listCollections ${JSON.stringify(listed)}`);
    const secret = await hub.createCollection({ ...alice, collection: { title: "Hidden", namespace: "alice", private: true } });
    const seen = async (creds) => (await collect(hub.listCollections({ ...creds, search: { owner: ["alice"] } }))).map((c) => c.slug);
    check(!(await seen(anon)).includes(secret.slug), "private collection hidden from anonymous");
    check(!(await seen(bob)).includes(secret.slug), "private collection hidden from bob");
    check((await seen(alice)).includes(secret.slug), "private collection listed to alice");
    const bobDelete = await failureStatus(hub.deleteCollection({ ...bob, slug: made.slug }), "bob deletes alice's collection");
    check(bobDelete === 403, `bob delete -> ${bobDelete}`);
    await hub.deleteCollection({ ...alice, slug: made.slug });
    const gone = await fetch(`${hubUrl}/api/collections/${made.slug}`);
    check(gone.status === 404, `deleted collection -> ${gone.status}`);
  },
};

sections[section]()
  .then(() => console.log("OK " + section))
  .catch((err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  });
