// Pull requests through the unchanged npm @huggingface/hub client (2.17 has no discussion
// functions; it opens PRs with `commit({isPullRequest: true})` / `uploadFile`, hub-api.md 7.3):
// a user who cannot write the repo opens a PR with a new file; the file is readable at refs/pr/N
// (downloadFile with that revision) and absent from main. Prints "PR <num>" for the C++ test to
// merge, then, run again with MODE=after-merge, checks that main now serves the file.
// Env: HUB_URL, HUB_TOKEN, REPO, NODE_MODULES, CONTENT, MODE.
"use strict";
const assert = require("node:assert/strict");
const path = require("node:path");

const hub = require(path.join(process.env.NODE_MODULES, "@huggingface/hub"));
const hubUrl = process.env.HUB_URL;
const accessToken = process.env.HUB_TOKEN;
const repo = { type: "model", name: process.env.REPO };
const content = process.env.CONTENT;

async function main() {
  if (process.env.MODE === "after-merge") {
    const blob = await hub.downloadFile({ repo, path: "from-js.txt", hubUrl, accessToken });
    assert.ok(blob, "main serves the merged file");
    assert.equal(await blob.text(), content);
    console.log("after-merge OK");
    return;
  }
  const out = await hub.uploadFile({
    repo,
    file: { path: "from-js.txt", content: new Blob([content]) },
    commitTitle: "Add from-js.txt",
    isPullRequest: true,
    hubUrl,
    accessToken,
  });
  assert.ok(out.pullRequestUrl, "the commit answers a pullRequestUrl");
  const m = /\/discussions\/(\d+)$/.exec(out.pullRequestUrl);
  assert.ok(m, "pullRequestUrl ends with /discussions/N: " + out.pullRequestUrl);
  const num = m[1];
  const atPr = await hub.downloadFile({ repo, path: "from-js.txt", revision: `refs/pr/${num}`, hubUrl, accessToken });
  assert.ok(atPr, "refs/pr/N serves the file");
  assert.equal(await atPr.text(), content);
  const onMain = await hub.fileExists({ repo, path: "from-js.txt", hubUrl, accessToken });
  assert.equal(onMain, false, "main does not have the PR's file before the merge");
  console.log("commit " + out.commit.oid);
  console.log("PR " + num);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
