// The Space sandbox in a real browser (playwright-core driving Debian's headless chromium): a
// visitor signed in to the hub (session cookie) opens a static Space whose script probes what it
// can reach. Under the Space's CSP sandbox the document must have an opaque origin ("null"),
// cookie access must be refused, and its script must not read a signed-in page of the hub
// (/settings/tokens) with the visitor's session. A control run with CSP bypassed shows the same
// probe does reach the session without the sandbox, so the check can fail.
//
//   node spaces_browser_sandbox.js HUB_URL TOKEN SPACE_PATH OUT_DIR
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const [hub, token, spacePath, outDir] = process.argv.slice(2);
fs.mkdirSync(outDir, { recursive: true });

function check(cond, what) {
  if (!cond) throw new Error("FAILED: " + what);
  console.log("ok - " + what);
}

async function probe(browser, bypassCSP, shotName) {
  const context = await browser.newContext({ bypassCSP });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  await page.goto(hub + "/login");
  await page.fill("#token", token);
  await page.click('button:has-text("Sign in with token")');
  await page.waitForURL(hub + "/");
  const cookies = await context.cookies(hub);
  check(cookies.length > 0, `signed in: the browser holds ${cookies.map((c) => c.name).join(",")}`);
  const resp = await page.goto(hub + spacePath);
  check(resp.status() === 200, `the Space loads (${resp.status()})`);
  await page.waitForFunction(() => document.getElementById("out").textContent !== "pending");
  const result = JSON.parse(await page.locator("#out").textContent());
  await page.screenshot({ path: path.join(outDir, shotName + ".png"), fullPage: true });
  await context.close();
  return result;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const sandboxed = await probe(browser, false, "space-sandboxed");
    console.log("sandboxed probe: " + JSON.stringify({ ...sandboxed, tokens_text: undefined }));
    check(sandboxed.ran === true, "the Space's script runs (allow-scripts)");
    check(sandboxed.origin === "null", `the Space document has an opaque origin (${sandboxed.origin})`);
    check(sandboxed.cookie === undefined && sandboxed.cookie_error === "SecurityError", "document.cookie is refused");
    check(sandboxed.tokens_status === undefined && sandboxed.fetch_error !== undefined,
          "its script cannot read /settings/tokens with the visitor's session");
    check(sandboxed.whoami_status !== 200, "nor call /api/whoami-v2 as the visitor");

    const open = await probe(browser, true, "space-without-sandbox");
    check(open.origin === hub, "control without the CSP: the document has the hub's origin");
    check(open.tokens_status === 200 && open.tokens_text.includes("Sign out"),
          "control without the CSP: the same script reads a signed-in page (so the check above can fail)");
    console.log("all sandbox checks passed");
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
