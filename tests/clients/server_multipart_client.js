// Uploads an LFS file larger than the hub's multipart chunk size with the real @huggingface/hub
// client (uploadFiles), watching the wire through the client's own `fetch` hook: the LFS batch
// must answer "multipart" with ceil(size / chunk_size) signed part URLs, the client must PUT
// every part (each answer carrying an ETag) and POST the completion; then downloadFile must give
// back the same bytes (sha256 computed here with node's crypto), and a second upload of the same
// content must find it stored (no upload action).
// Usage: node server_multipart_client.js <hubUrl> <write token> <user> <expected chunk size> <size>
// Prints "OK" and exits 0 when every check holds; otherwise prints the failure and exits 1.
"use strict";
const path = require("path");
const crypto = require("crypto");
const hub = require(path.join(process.env.NODE_MODULES || path.join(__dirname, "../../node_modules"), "@huggingface/hub"));

const [hubUrl, accessToken, user, chunkText, sizeText] = process.argv.slice(2);
const expectedChunk = parseInt(chunkText, 10);
const size = parseInt(sizeText, 10);
const repo = { type: "model", name: `${user}/multipart-model` };
const common = { hubUrl, accessToken };

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

// A fetch that records what the client sends and what the batch API answers.
function recordingFetch(log) {
  return async (url, init = {}) => {
    const method = (init.method || "GET").toUpperCase();
    const res = await fetch(url, init);
    const entry = { method, url: String(url), status: res.status, etag: res.headers.get("ETag") };
    if (entry.url.endsWith("/info/lfs/objects/batch")) entry.batch = await res.clone().json();
    if (method === "POST" && /\/multipart\/[0-9a-f]{32}\?/.test(entry.url)) entry.body = init.body;
    log.push(entry);
    return res;
  };
}

async function main() {
  await hub.createRepo({ ...common, repo });
  const big = crypto.randomBytes(size);
  const bigSha = crypto.createHash("sha256").update(big).digest("hex");
  const log = [];
  await hub.uploadFiles({
    ...common,
    repo,
    fetch: recordingFetch(log),
    commitTitle: "multipart upload",
    files: [
      { path: "weights.bin", content: new Blob([big]) },
      { path: "small.bin", content: new Blob([crypto.randomBytes(5000)]) },
    ],
  });

  const batch = log.find((e) => e.batch);
  check(batch, "the client called the LFS batch API");
  check(batch.batch.transfer === "multipart", `batch transfer is ${batch.batch.transfer}`);
  const obj = batch.batch.objects.find((o) => o.oid === bigSha);
  check(obj && obj.actions && obj.actions.upload, "the big object has an upload action");
  const header = obj.actions.upload.header;
  check(parseInt(header.chunk_size, 10) === expectedChunk, `chunk_size ${header.chunk_size}`);
  const partKeys = Object.keys(header).filter((k) => /^[0-9]+$/.test(k));
  const numParts = Math.ceil(size / expectedChunk);
  check(numParts >= 3, `the test file spans ${numParts} parts`);
  check(partKeys.length === numParts, `${partKeys.length} part URLs for ${numParts} parts`);

  const puts = log.filter((e) => e.method === "PUT" && /\/multipart\/[0-9a-f]{32}\/[0-9]+\?/.test(e.url));
  check(puts.length === numParts, `${puts.length} part PUTs`);
  for (const p of puts) {
    check(p.status === 200, `part PUT status ${p.status}`);
    check(p.etag && p.etag.length > 2, "part PUT answered an ETag");
  }
  const completions = log.filter((e) => e.method === "POST" && e.body !== undefined);
  check(completions.length === 1 && completions[0].status === 200, "one successful completion POST");
  const sent = JSON.parse(completions[0].body);
  check(sent.oid === bigSha && sent.parts.length === numParts, "completion body names the oid and every part");
  // The small file stays on the basic transfer (or regular upload): no chunk_size for it.
  const small = batch.batch.objects.find((o) => o.oid !== bigSha);
  if (small && small.actions && small.actions.upload) check(!small.actions.upload.header.chunk_size, "small file basic");

  const files = await collect(hub.listFiles({ ...common, repo, recursive: true }));
  const entry = files.find((f) => f.path === "weights.bin");
  check(entry && entry.lfs && entry.lfs.oid === bigSha, "weights.bin is an LFS file with the right oid");
  check(entry.size === size, `listed size ${entry.size}`);

  const blob = await hub.downloadFile({ ...common, repo, path: "weights.bin" });
  const got = Buffer.from(await blob.arrayBuffer());
  const gotSha = crypto.createHash("sha256").update(got).digest("hex");
  check(got.length === size && gotSha === bigSha, `downloaded sha256 ${gotSha} vs ${bigSha}`);

  // Same content again, under another name: already stored, nothing to upload.
  const again = [];
  await hub.uploadFiles({
    ...common,
    repo,
    fetch: recordingFetch(again),
    commitTitle: "same bytes",
    files: [{ path: "copy.bin", content: new Blob([big]) }],
  });
  const batch2 = again.find((e) => e.batch);
  check(batch2, "second upload called the batch API");
  const obj2 = batch2.batch.objects.find((o) => o.oid === bigSha);
  check(obj2 && !obj2.actions, "stored object needs no upload");
  check(!again.some((e) => e.method === "PUT"), "no PUT for a stored object");
  console.log(`multipart: ${numParts} parts of ${expectedChunk} bytes, sha256 ${bigSha}`);
  console.log("OK");
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
