// The real @huggingface/hub JS client (unchanged, from node_modules) against a running mhub server.
// Env: HUB_URL, HUB_TOKEN, HUB_USER, MHUB_BIN, WORK_DIR (a scratch folder), NODE_MODULES.
// Every step asserts on values from outside oracles (sha256sum, byte lengths, our own inputs);
// the first failed assertion throws, which makes the process exit non-zero. Prints "ALL OK" at the end.
"use strict";
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const hub = require(path.join(process.env.NODE_MODULES, "@huggingface/hub"));
const hubUrl = process.env.HUB_URL;
const accessToken = process.env.HUB_TOKEN;
const user = process.env.HUB_USER;
const mhub = process.env.MHUB_BIN;
const work = process.env.WORK_DIR;
const creds = { hubUrl, accessToken };

function sha256sum(file) {
  return execFileSync("sha256sum", [file]).toString().split(/\s+/)[0];
}
function writeWork(name, data) {
  const p = path.join(work, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
}
function runMhub(args, extraEnv) {
  return execFileSync(mhub, args, {
    env: { ...process.env, HF_ENDPOINT: hubUrl, HF_TOKEN: accessToken, ...extraEnv },
  }).toString();
}
async function collect(gen) {
  const out = [];
  for await (const x of gen) out.push(x);
  return out;
}
function step(name) {
  console.log("step: " + name);
}

// A safetensors file written by hand: 8-byte LE header length, JSON header, then the data.
function makeSafetensors() {
  const header = {
    __metadata__: { format: "pt" },
    "encoder.weight": { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] },
    "encoder.ids": { dtype: "I64", shape: [4], data_offsets: [24, 56] },
  };
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += " ";
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const data = Buffer.alloc(56);
  for (let i = 0; i < 6; i++) data.writeFloatLE(i * 0.5, i * 4);
  for (let i = 0; i < 4; i++) data.writeBigInt64LE(BigInt(i * 7), 24 + i * 8);
  return { bytes: Buffer.concat([len, Buffer.from(json), data]), header };
}

async function main() {
  step("whoAmI");
  const me = await hub.whoAmI(creds);
  assert.equal(me.name, user);
  assert.equal(me.type, "user");
  assert.ok(me.auth && me.auth.accessToken, "whoami has auth.accessToken");

  const repo = { type: "model", name: `${user}/js-model` };
  step("createRepo");
  const created = await hub.createRepo({ ...creds, repo });
  assert.ok(created.repoUrl.endsWith(`${user}/js-model`), created.repoUrl);
  await assert.rejects(hub.createRepo({ ...creds, repo }), "a second create of the same repo fails");

  step("uploadFiles (one file > 20 MB, through LFS)");
  const big = crypto.randomBytes(21 * 1024 * 1024 + 3);
  const bigPath = writeWork("big.bin", big);
  const bigSha = sha256sum(bigPath);
  const readme = "---\nlicense: mit\nlibrary_name: transformers\ntags:\n- mhub-js-tag\n---\n# js model\n";
  const config = JSON.stringify({ model_type: "bert", hidden_size: 8 });
  const up = await hub.uploadFiles({
    ...creds,
    repo,
    commitTitle: "js upload",
    files: [
      { path: "big.bin", content: new Blob([big]) },
      { path: "small.txt", content: new Blob(["hello js\n"]) },
      { path: "config.json", content: new Blob([config]) },
      { path: "README.md", content: new Blob([readme]) },
    ],
  });
  assert.match(up.commit.oid, /^[0-9a-f]{40}$/);

  step("listFiles recursive");
  let files = await collect(hub.listFiles({ ...creds, repo, recursive: true }));
  let byPath = Object.fromEntries(files.map((f) => [f.path, f]));
  for (const p of ["big.bin", "small.txt", "config.json", "README.md"]) assert.ok(byPath[p], `listed ${p}`);
  assert.equal(byPath["big.bin"].size, big.length);
  assert.ok(byPath["big.bin"].lfs, "big.bin is an LFS file");
  assert.equal(byPath["big.bin"].lfs.oid, bigSha);
  assert.equal(byPath["small.txt"].size, "hello js\n".length);
  assert.equal(byPath["small.txt"].lfs, undefined);

  step("commit with deletions");
  const c2 = await hub.commit({
    ...creds,
    repo,
    title: "delete small, add nested",
    operations: [
      { operation: "delete", path: "small.txt" },
      { operation: "addOrUpdate", path: "dir/sub/new.txt", content: new Blob(["nested\n"]) },
    ],
  });
  files = await collect(hub.listFiles({ ...creds, repo, recursive: true }));
  const paths = files.filter((f) => f.type === "file").map((f) => f.path).sort();
  assert.ok(!paths.includes("small.txt"), "small.txt deleted");
  assert.ok(paths.includes("dir/sub/new.txt"), "nested file added");
  const top = await collect(hub.listFiles({ ...creds, repo }));
  assert.ok(top.some((f) => f.path === "dir" && f.type === "directory"), "non-recursive listing shows dir/");
  assert.ok(!top.some((f) => f.path === "dir/sub/new.txt"), "non-recursive listing does not descend");

  step("fileDownloadInfo");
  const dl = await hub.fileDownloadInfo({ ...creds, repo, path: "big.bin" });
  assert.equal(dl.size, big.length);
  assert.ok(dl.etag.includes(bigSha), `etag ${dl.etag} names the sha256`);
  assert.equal(await hub.fileDownloadInfo({ ...creds, repo, path: "nope.bin" }), null);
  assert.equal(await hub.fileExists({ ...creds, repo, path: "config.json" }), true);
  assert.equal(await hub.fileExists({ ...creds, repo, path: "nope.bin" }), false);

  step("downloadFile");
  const blob = await hub.downloadFile({ ...creds, repo, path: "big.bin" });
  const got = Buffer.from(await blob.arrayBuffer());
  assert.equal(sha256sum(writeWork("big.downloaded", got)), bigSha);
  const cfgBlob = await hub.downloadFile({ ...creds, repo, path: "config.json" });
  assert.equal(await cfgBlob.text(), config);

  step("downloadFileToCacheDir / snapshotDownload");
  const jsCache = path.join(work, "jscache");
  const cfgCached = await hub.downloadFileToCacheDir({ ...creds, repo, path: "config.json", cacheDir: jsCache });
  assert.equal(fs.readFileSync(cfgCached, "utf8"), config);
  const snap = await hub.snapshotDownload({ ...creds, repo, cacheDir: jsCache });
  assert.equal(path.basename(snap), c2.commit.oid);
  assert.equal(sha256sum(path.join(snap, "big.bin")), bigSha);
  assert.equal(fs.readFileSync(path.join(snap, "dir/sub/new.txt"), "utf8"), "nested\n");

  step("modelInfo");
  const info = await hub.modelInfo({ ...creds, name: repo.name, additionalFields: ["sha", "tags", "library_name"] });
  assert.equal(info.name, repo.name);
  assert.equal(info.sha, c2.commit.oid);
  assert.equal(info.private, false);

  step("listModels with search and filter");
  const other = { type: "model", name: `${user}/js-other` };
  await hub.createRepo({ ...creds, repo: other });
  const found = await collect(hub.listModels({ ...creds, search: { query: "js-" } }));
  const foundNames = found.map((m) => m.name).sort();
  assert.deepEqual(foundNames, [`${user}/js-model`, `${user}/js-other`]);
  const tagged = await collect(hub.listModels({ ...creds, search: { tags: ["mhub-js-tag"] } }));
  assert.deepEqual(tagged.map((m) => m.name), [`${user}/js-model`]);
  const owned = await collect(hub.listModels({ ...creds, search: { owner: user }, limit: 1 }));
  assert.equal(owned.length, 1);

  step("createBranch / listCommits");
  await hub.createBranch({ ...creds, repo, branch: "dev" });
  const devCommits = await collect(hub.listCommits({ ...creds, repo, revision: "dev" }));
  assert.equal(devCommits[0].oid, c2.commit.oid);
  const mainCommits = await collect(hub.listCommits({ ...creds, repo }));
  const titles = mainCommits.map((c) => c.title);
  assert.equal(titles[0], "delete small, add nested");
  assert.ok(titles.includes("js upload"), titles.join("|"));
  assert.equal(mainCommits[1].oid, up.commit.oid);

  step("parseSafetensorsMetadata on a model uploaded by mhub's CLI");
  const st = makeSafetensors();
  const stPath = writeWork("st/model.safetensors", st.bytes);
  runMhub(["upload", `${user}/st-model`, stPath, "model.safetensors"]);
  const parsed = await hub.parseSafetensorsMetadata({ ...creds, repo: `${user}/st-model`, computeParametersCount: true });
  assert.equal(parsed.sharded, false);
  assert.deepEqual(parsed.header, st.header);
  assert.deepEqual(parsed.parameterCount, { F32: 6, I64: 4 });

  step("scanCacheDir on a cache written by mhub's client");
  const mhubCache = path.join(work, "mhubcache");
  const printed = runMhub(["download", repo.name], { HF_HUB_CACHE: mhubCache }).trim();
  assert.equal(path.basename(printed), c2.commit.oid);
  runMhub(["download", `${user}/st-model`, "model.safetensors"], { HF_HUB_CACHE: mhubCache });
  const scan = await hub.scanCacheDir(mhubCache);
  assert.deepEqual(scan.warnings, []);
  const cached = Object.fromEntries(scan.repos.map((r) => [r.id.name, r]));
  assert.deepEqual(Object.keys(cached).sort(), [repo.name, `${user}/st-model`].sort());
  const jsRepo = cached[repo.name];
  assert.equal(jsRepo.id.type, "model");
  assert.equal(jsRepo.revisions.length, 1);
  assert.equal(jsRepo.revisions[0].commitOid, c2.commit.oid);
  assert.deepEqual(jsRepo.revisions[0].refs, ["main"]);
  // scanCacheDir (2.17) lists only the top level of a snapshot, so compare with the top-level files.
  const wantFiles = files.filter((f) => f.type === "file" && !f.path.includes("/"));
  const seen = jsRepo.revisions[0].files.map((f) => path.relative(jsRepo.revisions[0].path, f.path)).sort();
  assert.deepEqual(seen, wantFiles.map((f) => f.path).sort());
  for (const f of jsRepo.revisions[0].files) {
    const want = wantFiles.find((w) => w.path === path.relative(jsRepo.revisions[0].path, f.path));
    assert.equal(f.blob.size, want.size, f.path);
    assert.ok(f.blob.path.startsWith(path.join(jsRepo.path, "blobs")), "snapshot files resolve into blobs/");
  }
  assert.equal(jsRepo.size, wantFiles.reduce((a, f) => a + f.size, 0));
  assert.equal(cached[`${user}/st-model`].size, st.bytes.length);

  step("deleteRepo");
  await hub.deleteRepo({ ...creds, repo });
  await assert.rejects(hub.modelInfo({ ...creds, name: repo.name }));
  assert.equal(await hub.repoExists({ ...creds, repo }), false);

  console.log("ALL OK");
}

main().catch((e) => {
  console.error("FAILED:", e && e.stack ? e.stack : e);
  process.exit(1);
});
