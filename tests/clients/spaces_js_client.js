// Makes and reads static Spaces on an mhub server with the real @huggingface/hub client (hubUrl):
// createRepo (type space, sdk static), uploadFiles (a regular page, CSS, JS and an LFS binary),
// spaceInfo (with its runtime), listSpaces. Usage: node spaces_js_client.js <hubUrl> <write token> <user> <out dir>
// Writes the uploaded binary to <out dir>/blob.bin (the test compares what the Space serves), prints
// the commit oid and "OK" when every check holds; otherwise prints the failure and exits 1.
"use strict";
const path = require("path");
const fs = require("fs");
const crypto = require("crypto");
const hub = require(path.join(process.env.NODE_MODULES || path.join(__dirname, "../../node_modules"), "@huggingface/hub"));

const [hubUrl, accessToken, user, outDir] = process.argv.slice(2);
const repo = { type: "space", name: `${user}/site` };
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
  await hub.createRepo({ ...common, repo, sdk: "static" });
  const blob = crypto.randomBytes(150000);
  fs.writeFileSync(path.join(outDir, "blob.bin"), blob);
  const files = {
    "README.md": "---\ntitle: Site\nsdk: static\nemoji: 🚀\n---\n# A static Space\n",
    "index.html": '<!doctype html><html><head><link rel="stylesheet" href="style.css"></head>' +
      '<body><h1 id="t">v1</h1><script src="js/app.js"></script></body></html>\n',
    "style.css": "h1 { color: #123456; }\n",
    "js/app.js": "document.getElementById('t').dataset.ran = 'yes';\n",
    "docs/index.html": "<!doctype html><p>docs</p>\n",
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name.replace(/\//g, "_")), text);
  const upload = await hub.uploadFiles({
    ...common,
    repo,
    commitTitle: "static site",
    files: [
      ...Object.entries(files).map(([p, text]) => ({ path: p, content: new Blob([text]) })),
      { path: "assets/blob.bin", content: new Blob([blob]) },
    ],
  });
  check(upload.commit.oid.length === 40, "commit oid");

  const info = await hub.spaceInfo({ ...common, name: repo.name });
  check(info.name === repo.name, `spaceInfo name ${info.name}`);
  check(info.sdk === "static", `spaceInfo sdk ${info.sdk}`);
  check(info.private === false, "spaceInfo private");
  const withRuntime = await hub.spaceInfo({ ...common, name: repo.name, additionalFields: ["runtime"] });
  check(withRuntime.runtime && withRuntime.runtime.stage === "RUNNING", "spaceInfo runtime: " + JSON.stringify(withRuntime.runtime));
  check(withRuntime.runtime.hardware.current === "cpu-basic", "spaceInfo runtime hardware");
  const listed = await collect(hub.listSpaces({ ...common, search: { owner: user } }));
  const mine = listed.find((s) => s.name === repo.name);
  check(mine !== undefined, "listSpaces finds the Space: " + JSON.stringify(listed));
  check(mine.sdk === "static", `listSpaces sdk ${mine.sdk}`);
  const tree = await collect(hub.listFiles({ ...common, repo, recursive: true }));
  const lfs = tree.find((f) => f.path === "assets/blob.bin");
  check(lfs && lfs.lfs && lfs.lfs.oid === crypto.createHash("sha256").update(blob).digest("hex"), "blob.bin is LFS");
  console.log("COMMIT " + upload.commit.oid);
  console.log("OK");
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
