// The website in a real browser: playwright-core driving Debian's headless chromium against a hub
// the C++ test (tests/server/web_browser_test.cpp) started and filled. Walks what a person does:
// search + filter finds a model; the card, chips and eval table render; the file tree navigates
// and the blob view shows the LFS pointer; a private repo is invisible signed out and visible to
// its owner after signing in; a token made on the page works with the API; a discussion is opened
// and commented and a pull request (create_pr) is shown with its diff and merged. axe-core runs on
// every page (no serious or critical violation). Screenshots go to OUT_DIR.
//
//   node web_browser_test.js HUB_URL TOKEN LFS_OID OUT_DIR
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const [hub, token, lfsOid, outDir] = process.argv.slice(2);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
fs.mkdirSync(outDir, { recursive: true });

function check(cond, what) {
  if (!cond) throw new Error("FAILED: " + what);
  console.log("ok - " + what);
}

async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) console.log(`  axe ${name}: ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target).join(" ")}`);
  check(bad.length === 0, `axe-core: no serious violations on ${name}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(outDir, name + ".png"), fullPage: true });
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  // axe is injected as an inline script, which the pages' CSP forbids: only the test bypasses it.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);

  // 1. Search + filter.
  await page.goto(hub + "/");
  await axe(page, "home");
  await page.fill("#q", "model");
  await page.click("header form.search button");
  await page.waitForURL(/\/models\?search=model/);
  check((await page.locator("#results").textContent()).includes("team/pub-model"), "search finds team/pub-model");
  await page.click('aside.facets a:has-text("text-classification")');
  await page.waitForURL(/pipeline_tag=text-classification/);
  const results = await page.locator("#results").textContent();
  check(results.includes("team/pub-model") && !results.includes("team/other-model"), "the task filter keeps only matching models");
  await shot(page, "01-models-filtered");
  await axe(page, "models listing");

  // 2. The model page.
  await page.click('#results a:has-text("team/pub-model")');
  await page.waitForURL(/\/team\/pub-model$/);
  check((await page.locator('ul.chips li[data-kind="task"]').textContent()).includes("text-classification"), "task chip");
  check((await page.locator('ul.chips li[data-kind="license"]').textContent()).includes("apache-2.0"), "license chip");
  check((await page.locator("table.eval tbody tr").count()) === 1, "eval table has the one metric");
  check((await page.locator("table.eval td").nth(4).textContent()) === "0.9375", "eval value shown");
  check((await page.locator(".card-body h1").textContent()) === "Tiny sentiment", "card heading rendered");
  check((await page.locator('.card-body table:not(.eval) th').count()) === 2, "card's Markdown table rendered");
  const paint = await page.evaluate(() => {
    const e = performance.getEntriesByName("first-contentful-paint")[0];
    return e ? e.startTime : -1;
  });
  console.log(`first contentful paint of the model page: ${paint.toFixed(1)} ms`);
  await shot(page, "02-model-page");
  await axe(page, "model page");

  // 3. Files: tree -> folder -> back -> LFS blob.
  await page.click('nav[aria-label="Repository"] a:has-text("Files and versions")');
  await page.waitForURL(/\/tree\/main$/);
  await page.click('table.files a:has-text("src/")');
  await page.waitForURL(/\/tree\/main\/src$/);
  check((await page.locator("table.files").textContent()).includes("<script>x.txt"), "folder lists the file, as text");
  await shot(page, "03-tree-src");
  await axe(page, "tree");
  await page.click('nav.crumbs a:has-text("pub-model")');
  await page.waitForURL(/\/tree\/main$/);
  await page.click('table.files a:has-text("weights.bin")');
  await page.waitForURL(/\/blob\/main\/weights\.bin$/);
  check((await page.locator("[data-lfs-oid]").textContent()) === lfsOid, "blob view shows the LFS oid");
  await shot(page, "04-blob-lfs");
  await axe(page, "blob");

  // 4. Private repo: invisible signed out, visible to the owner.
  let resp = await page.goto(hub + "/team/priv-model");
  check(resp.status() === 404, "private repo is 404 signed out");
  check(!(await page.content()).includes("priv-model</h1>"), "and its page says nothing about it");
  await page.goto(hub + "/models?search=priv");
  check(!(await page.locator("main").textContent()).includes("team/priv-model"), "nor is it listed");
  await page.goto(hub + "/login");
  await axe(page, "sign in");
  await page.fill("#token", token);
  await page.click('button:has-text("Sign in with token")');
  await page.waitForURL(hub + "/");
  resp = await page.goto(hub + "/team/priv-model");
  check(resp.status() === 200, "the owner sees the private repo");
  check((await page.locator(".badge").first().textContent()) === "private", "with its private badge");
  await page.goto(hub + "/models?search=priv");
  check((await page.locator("#results").textContent()).includes("team/priv-model"), "and finds it in the listing");
  await shot(page, "05-private-signed-in");

  // 5. A token made on the page works with the API.
  await page.goto(hub + "/settings/tokens");
  await page.fill("#token-name", "browser token");
  await page.selectOption("#token-role", "read");
  await page.click('button:has-text("Create token")');
  const secret = (await page.locator("#token-secret").textContent()).trim();
  check(/^hf_[A-Za-z0-9]+$/.test(secret), "the new token is shown once");
  await shot(page, "06-token-created");
  await axe(page, "tokens");
  const who = await fetch(hub + "/api/whoami-v2", { headers: { Authorization: "Bearer " + secret } });
  const whoJson = await who.json();
  check(who.status === 200 && whoJson.name === "alice" && whoJson.auth.accessToken.role === "read",
        "the token authenticates with the API as alice (read)");

  // 6. Community: open a discussion and comment on it; a PR (made with the commit API's create_pr)
  // shows its diff and is merged with its button.
  await page.goto(hub + "/team/pub-model/discussions");
  await page.fill("#title", "Question from the browser");
  await page.fill("#description", "Does it handle **sarcasm**?");
  await page.click('button:has-text("Open discussion")');
  await page.waitForURL(/\/team\/pub-model\/discussions\/\d+$/);
  check((await page.locator(".comment strong").first().textContent()) === "sarcasm", "the discussion shows its text");
  await page.fill("#comment", "A comment typed in Chromium");
  await page.click('button:has-text("Comment")');
  await page.waitForLoadState();
  check((await page.locator(".comment").last().textContent()).includes("typed in Chromium"), "the comment is shown");
  await axe(page, "discussion");
  await shot(page, "07-discussion");
  const body = [
    JSON.stringify({ key: "header", value: { summary: "Add notes from a PR" } }),
    JSON.stringify({ key: "file", value: { path: "notes.md", content: Buffer.from("pr line\n").toString("base64"), encoding: "base64" } }),
  ].join("\n");
  const made = await fetch(hub + "/api/models/team/pub-model/commit/main?create_pr=1", {
    method: "POST",
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/x-ndjson" },
    body,
  });
  const prUrl = (await made.json()).pullRequestUrl;
  check(made.status === 200 && /\/discussions\/\d+$/.test(prUrl), "create_pr answers a pullRequestUrl");
  await page.goto(prUrl);
  check((await page.locator(".diff").textContent()).includes("+pr line"), "the PR page shows its diff");
  await axe(page, "pull request");
  await shot(page, "08-pull-request");
  await page.click("#merge");
  await page.waitForLoadState();
  check((await page.locator("h2 .badge").first().textContent()) === "merged", "the PR is merged by its button");
  const merged = await fetch(hub + "/team/pub-model/resolve/main/notes.md");
  check((await merged.text()) === "pr line\n", "main serves the merged file");

  // Signing out ends it.
  await page.click('button:has-text("Sign out")');
  await page.waitForURL(hub + "/");
  resp = await page.goto(hub + "/team/priv-model");
  check(resp.status() === 404, "signed out again, the private repo is gone");

  await browser.close();
  console.log("all browser checks passed");
})().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
