// Browser test of needle serve's review queue with Playwright (playwright-core)
// driving Debian's chromium headless: sign in, see blurred thumbnails,
// reveal one, categorise a cluster by keyboard, reload, see it persisted.
// A screenshot is saved to tests/artifacts/review.png.
//
// Environment: NEEDLE_BINARY (build/needle), NEEDLE_SOURCE_DIR (repo root).
// Skips (with a message) when chromium or playwright-core is missing, unless
// NEEDLE_REQUIRE_BROWSER=1 (CI), which makes that a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const bin = process.env.NEEDLE_BINARY || 'build/needle';
const src = process.env.NEEDLE_SOURCE_DIR || process.cwd();
const chromium = '/usr/bin/chromium';
const required = process.env.NEEDLE_REQUIRE_BROWSER === '1';

async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (e) {
    return null;
  }
}

function run(args) {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function waitForServer(port) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/status`);
      return;
    } catch (e) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('server did not start');
}

test('review queue in a real browser', async (t) => {
  const pw = await loadPlaywright();
  if (!pw || !existsSync(chromium)) {
    const why = !pw ? 'playwright-core is not installed (npm install in tests/browser)' : 'no /usr/bin/chromium';
    if (required) assert.fail(why);
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'needle-browser-'));
  const store = path.join(dir, 'store');
  const caseDir = path.join(dir, 'case');
  const scan = run(['scan', path.join(src, 'samples'), '--case', caseDir, '--store', path.join(dir, 'none'), '-q']);
  assert.ok(scan.code === 0 || scan.code === 1, scan.err);
  const tok = run(['token', 'create', '--role', 'reviewer', '--store', store]);
  assert.equal(tok.code, 0, tok.err);
  const token = tok.out.trim().split('\n').pop();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn(bin, ['serve', '--store', store, '--case', caseDir, '--listen', `127.0.0.1:${port}`,
    '--web-root', path.join(src, 'web')], { stdio: 'ignore' });
  let browser;
  try {
    await waitForServer(port);
    browser = await pw.chromium.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    // The page's own CSP forbids eval; Playwright's probes need it, so the
    // test context (not the app) bypasses CSP.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const external = [];
    page.on('request', (req) => { if (!req.url().startsWith(`http://127.0.0.1:${port}/`) && !req.url().startsWith('blob:')) external.push(req.url()); });
    await page.goto(`http://127.0.0.1:${port}/review`);

    // Log in.
    await page.fill('#token', token);
    await page.click('#login-form button');
    await page.waitForSelector('#items tr');
    const rows = await page.$$('#items tr');
    assert.ok(rows.length >= 10, `only ${rows.length} items`);

    // Thumbnails are blurred and greyscale by default.
    await page.waitForFunction(() => [...document.querySelectorAll('.thumb')].some((i) => i.complete && i.naturalWidth > 0));
    const thumbs = await page.$$('.thumb');
    assert.ok(thumbs.length > 0);
    const filter = await thumbs[0].evaluate((e) => getComputedStyle(e).filter);
    assert.match(filter, /blur/);
    assert.match(filter, /grayscale/);

    // Reveal one: only that one is clear.
    await thumbs[0].click();
    assert.equal(await thumbs[0].evaluate((e) => getComputedStyle(e).filter), 'none');
    if (thumbs.length > 1) {
      assert.match(await thumbs[1].evaluate((e) => getComputedStyle(e).filter), /blur/);
      await thumbs[1].click();
      assert.match(await thumbs[0].evaluate((e) => getComputedStyle(e).filter), /blur/);
    }

    // Select an item that belongs to a cluster and categorise the cluster by keyboard.
    const clusterIndex = await page.$$eval('#items tr', (trs) => trs.findIndex((tr) => tr.children[4].textContent.trim() !== ''));
    assert.ok(clusterIndex >= 0, 'no clustered item in the samples');
    const clusterId = await page.$eval(`#items tr:nth-child(${clusterIndex + 1}) td:nth-child(5)`, (e) => e.textContent.trim());
    await page.click(`#items tr:nth-child(${clusterIndex + 1}) td:nth-child(4)`);
    await page.keyboard.press('Shift+Digit5');
    await page.waitForFunction((cid) => {
      const trs = [...document.querySelectorAll('#items tr')].filter((tr) => tr.children[4].textContent.trim() === cid);
      return trs.length >= 2 && trs.every((tr) => tr.children[5].textContent.includes('CAT-5'));
    }, clusterId);

    // Reload: the decisions persist (and the session keeps the token).
    await page.reload();
    await page.waitForSelector('#items tr');
    const persisted = await page.$$eval('#items tr', (trs, cid) =>
      trs.filter((tr) => tr.children[4].textContent.trim() === cid).map((tr) => tr.children[5].textContent), clusterId);
    assert.ok(persisted.length >= 2);
    for (const p of persisted) assert.match(p, /CAT-5/);

    const artifacts = path.join(src, 'tests', 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'review.png'), fullPage: false });
    assert.deepEqual(external, [], 'the page made external requests');
  } finally {
    if (browser) await browser.close();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
