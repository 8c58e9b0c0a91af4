// Drives an mhub server with the real @huggingface/hub client (hubUrl), the calls of hub-api.md
// section 10. Usage: node server_js_client.js <hubUrl> <write token> <user>
// Exits 0 and prints "OK" when every check holds; otherwise prints the failure and exits 1.
"use strict";
const path = require("path");
const crypto = require("crypto");
const hub = require(path.join(process.env.NODE_MODULES || path.join(__dirname, "../../node_modules"), "@huggingface/hub"));

const [hubUrl, accessToken, user] = process.argv.slice(2);
const repo = { type: "model", name: `${user}/js-model` };
const common = { hubUrl, accessToken };

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

async function main() {
  const me = await hub.whoAmI({ ...common });
  check(me.name === user, `whoAmI name ${me.name}`);
  check(me.auth.accessToken.role === "write", "whoAmI role");

  await hub.createRepo({ ...common, repo });
  check(await hub.repoExists({ ...common, repo }), "repoExists after create");

  const weights = crypto.randomBytes(150000);
  const weightsSha = crypto.createHash("sha256").update(weights).digest("hex");
  const config = JSON.stringify({ model_type: "bert", hidden_size: 8 });
  const readme = "---\nlicense: mit\npipeline_tag: fill-mask\n---\n# JS upload\n";
  const upload = await hub.uploadFiles({
    ...common,
    repo,
    commitTitle: "upload from js",
    files: [
      { path: "config.json", content: new Blob([config]) },
      { path: "model.safetensors", content: new Blob([weights]) },
      { path: "README.md", content: new Blob([readme]) },
      { path: "sub/dir/notes.txt", content: new Blob(["notes"]) },
    ],
  });
  const commitOid = upload.commit.oid;
  check(/^[0-9a-f]{40}$/.test(commitOid), `commit oid ${commitOid}`);

  const files = await collect(hub.listFiles({ ...common, repo, recursive: true }));
  const paths = new Set(files.map((f) => f.path));
  for (const p of ["config.json", "model.safetensors", "README.md", "sub/dir/notes.txt"]) check(paths.has(p), `listFiles has ${p}`);
  const lfsEntry = files.find((f) => f.path === "model.safetensors");
  check(lfsEntry.lfs && lfsEntry.lfs.oid === weightsSha, "model.safetensors stored in LFS with its sha256");

  const info = await hub.fileDownloadInfo({ ...common, repo, path: "model.safetensors" });
  check(info.size === weights.length, `fileDownloadInfo size ${info.size}`);
  check(info.etag.includes(weightsSha), `fileDownloadInfo etag ${info.etag}`);
  const blob = await hub.downloadFile({ ...common, repo, path: "model.safetensors" });
  const got = Buffer.from(await blob.arrayBuffer());
  check(got.equals(weights), "downloaded weights equal the uploaded bytes");
  const cfg = await (await hub.downloadFile({ ...common, repo, path: "config.json" })).text();
  check(cfg === config, "downloaded config equals");
  check(await hub.fileExists({ ...common, repo, path: "config.json" }), "fileExists true");
  check(!(await hub.fileExists({ ...common, repo, path: "missing.json" })), "fileExists false");
  check((await hub.fileDownloadInfo({ ...common, repo, path: "missing.json" })) === null, "missing file info is null");

  const model = await hub.modelInfo({ ...common, name: repo.name, additionalFields: ["sha", "cardData"] });
  check(model.sha === commitOid, `modelInfo sha ${model.sha} vs ${commitOid}`);
  check(model.cardData && model.cardData.license === "mit", "modelInfo cardData.license");
  check(model.task === "fill-mask", `modelInfo task ${model.task}`);

  const models = await collect(hub.listModels({ ...common, search: { owner: user } }));
  check(models.some((m) => m.name === repo.name), "listModels finds the repo");

  const commits = await collect(hub.listCommits({ ...common, repo }));
  check(commits[0].oid === commitOid && commits[0].title === "upload from js", "listCommits newest first");

  const infos = await hub.pathsInfo({ ...common, repo, paths: ["config.json", "nope"], expand: true });
  check(infos.length === 1 && infos[0].path === "config.json", "pathsInfo leaves out missing paths");

  await hub.createBranch({ ...common, repo, branch: "dev" });
  const devFiles = await collect(hub.listFiles({ ...common, repo, revision: "dev" }));
  check(devFiles.some((f) => f.path === "config.json"), "branch dev lists files");
  await hub.deleteBranch({ ...common, repo, branch: "dev" });

  await hub.deleteFile({ ...common, repo, path: "sub/dir/notes.txt" });
  check(!(await hub.fileExists({ ...common, repo, path: "sub/dir/notes.txt" })), "deleted file is gone");

  await hub.deleteRepo({ ...common, repo });
  check(!(await hub.repoExists({ ...common, repo })), "repo gone after delete");
  console.log("OK");
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
