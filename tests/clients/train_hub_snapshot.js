// The real @huggingface/hub JS client (from node_modules) downloads a repo that `mhub train
// --push_to_hub` made: snapshotDownload into CACHE_DIR, then prints one JSON object
// {"commit": <snapshot folder name>, "files": {path: sha256 of the downloaded bytes}} for the test
// to compare with a git + git-lfs clone of the same repo.
// Env: HUB_URL, HUB_TOKEN, REPO (namespace/name), CACHE_DIR, NODE_MODULES.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const hub = require(path.join(process.env.NODE_MODULES, "@huggingface/hub"));
const creds = { hubUrl: process.env.HUB_URL, accessToken: process.env.HUB_TOKEN };
const repo = { type: "model", name: process.env.REPO };

function walk(dir, prefix, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const rel = prefix ? prefix + "/" + e.name : e.name;
    // Snapshot entries are symlinks into blobs/; statSync follows them.
    if (fs.statSync(p).isDirectory()) walk(p, rel, out);
    else out[rel] = crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");
  }
}

async function main() {
  const snap = await hub.snapshotDownload({ ...creds, repo, cacheDir: process.env.CACHE_DIR });
  const files = {};
  walk(snap, "", files);
  console.log(JSON.stringify({ commit: path.basename(snap), files }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
