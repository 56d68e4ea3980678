// Opens eimfs HTML reports in Debian's Chromium, headless, and checks them as a reader would see
// them: no console error, no request of any kind beyond the file itself, every section with a
// non-empty figure, readable at 1280 px without horizontal scrolling, printable; saves full-page
// screenshots under target/browser/ and measures how fast a 72-hour report opens.
//
//   EIMFS_REPORT=eimfs-demo/report.html [EIMFS_LARGE_REPORT=large.html] node --test report.test.mjs
//
// EIMFS_REPORT        the demo report (required): all seven sections are expected.
// EIMFS_LARGE_REPORT  a report of a 72-hour recording with 1,000+ seizures (required when CI=true):
//                     it must finish loading and painting in under 3 s.
// EIMFS_SCREENSHOTS   where screenshots go (default: target/browser/ at the repository root).
// CHROMIUM            the browser (default /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync, statSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const shots = resolve(process.env.EIMFS_SCREENSHOTS ?? join(root, 'target', 'browser'));
const demo = process.env.EIMFS_REPORT ? resolve(process.env.EIMFS_REPORT) : null;
const large = process.env.EIMFS_LARGE_REPORT ? resolve(process.env.EIMFS_LARGE_REPORT) : null;
const WIDTH = 1280;
const OPEN_LIMIT_MS = 3000;

let browser;

before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
});

/** Open `file` in a fresh page at 1280 px, recording console errors and every request. */
async function open(file) {
  const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
  const problems = [];
  const requests = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()} (${r.failure()?.errorText})`));
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  const t0 = performance.now();
  const response = await page.goto(url, { waitUntil: 'load' });
  // Two animation frames after load: the page has been laid out and painted.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const openMs = performance.now() - t0;
  assert.ok(response === null || response.ok(), `${file} did not load`);
  return { page, problems, requests, openMs };
}

/** Width and height of the element's box. */
async function box(locator) {
  const b = await locator.boundingBox();
  return b ? { w: b.width, h: b.height } : { w: 0, h: 0 };
}

test('the demo report: all seven sections, each with its content, no errors, no requests', { skip: !demo && 'EIMFS_REPORT not set' }, async () => {
  assert.ok(existsSync(demo), `${demo} does not exist`);
  const { page, problems, requests, openMs } = await open(demo);
  console.log(`demo report: ${(statSync(demo).size / 1e6).toFixed(2)} MB, open + paint ${openMs.toFixed(0)} ms`);

  // Sections in order, each with its title.
  const ids = await page.$$eval('main > section[id]', (s) => s.map((x) => x.id));
  assert.deepEqual(ids, ['recording', 'timeline', 'burden', 'migration', 'examples', 'seizures', 'evaluation']);
  for (const id of ids) {
    const title = (await page.locator(`#${id} > h2`).innerText()).trim();
    assert.match(title, /^\d\. \S/, `section ${id} has a numbered title`);
  }
  // Navigation links point at the sections.
  assert.deepEqual(await page.$$eval('header nav a', (a) => a.map((x) => x.getAttribute('href'))), ids.map((i) => `#${i}`));

  // Every figure is drawn and has a size.
  const svgs = page.locator('svg');
  const n = await svgs.count();
  assert.ok(n >= 10, `${n} figures`);
  for (let i = 0; i < n; i++) {
    const { w, h } = await box(svgs.nth(i));
    assert.ok(w > 100 && h > 50, `figure ${i} is ${w}×${h}`);
  }

  // 1. Recording: file, duration, channels; quality notes present.
  const rec = await page.locator('#recording table.kv tr').count();
  assert.ok(rec >= 8, `${rec} recording rows`);
  assert.match(await page.locator('#recording').innerText(), /duration\s+2 h 00 min/);
  assert.ok(await page.locator('#recording .quality').isVisible());

  // 2. Timeline: full width, seizures drawn in regions, truth and detections rows.
  const tl = page.locator('#timeline svg.timeline');
  assert.ok((await box(tl)).w >= 1100, 'timeline spans the page');
  const bars = await tl.locator('rect > title').allTextContents();
  const seizureBars = bars.filter((t) => t.startsWith('Seizure '));
  assert.ok(seizureBars.length >= 3, `${seizureBars.length} seizure bars`);
  assert.ok(bars.some((t) => t.startsWith('true seizure ')), 'truth row');
  assert.ok(bars.some((t) => t.startsWith('detection ')), 'detections row');
  assert.equal(await page.locator('#timeline .legend li').count(), 11);

  // 3. Burden: bars, totals.
  const burdenBars = await page.locator('#burden svg.burden rect > title').allTextContents();
  assert.ok(burdenBars.some((t) => / seizure\(s\), /.test(t)), 'seizures per hour bars');
  assert.match(await page.locator('#burden').innerText(), /total time in seizure/);

  // 4. Migration: verdict, onset head map with counts, region bars, path maps with arrows.
  const verdict = (await page.locator('#migration .verdict .vtext').innerText()).trim();
  assert.match(verdict, /migrat/i);
  const onsetCircles = await page.locator('#migration svg.onsets circle > title').allTextContents();
  assert.equal(onsetCircles.length, 19, 'one circle per electrode');
  assert.ok(onsetCircles.some((t) => /\d+ seizure onset/.test(t)), 'some electrode has onsets');
  assert.equal(await page.locator('#migration svg.regionbars text.lbl').count(), 11);
  const paths = page.locator('#migration .paths svg');
  if (await paths.count() > 0) {
    assert.ok(await paths.first().locator('path[marker-end]').count() >= 1, 'migration arrows');
  }

  // 5. Examples: three EEG pages in the double banana with the onset marked.
  const ex = page.locator('#examples svg.traces');
  assert.equal(await ex.count(), 3);
  for (let i = 0; i < 3; i++) {
    const e = ex.nth(i);
    assert.ok((await box(e)).w >= 1100);
    assert.equal(await e.locator('text.ch').count(), 18, 'double banana: 18 channels');
    assert.ok(await e.locator('path').count() >= 18, 'traces drawn');
    assert.match((await e.locator('text.mark').allTextContents()).join(' '), /onset/);
  }

  // 6. Table: one row per detected seizure.
  const glance = await page.locator('.glance dl').innerText();
  const detected = Number(/seizures detected\s+(\d+)/.exec(glance)[1]);
  assert.equal(await page.locator('#seizures tbody tr').count(), detected);

  // 7. Against the truth: event and sample rows, localisation.
  assert.equal(await page.locator('#evaluation table.data tbody tr').count(), 2);
  assert.match(await page.locator('#evaluation').innerText(), /onset region correct/);

  // Readable at 1280 px: nothing wider than the window.
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= WIDTH, `page is ${scrollWidth} px wide at ${WIDTH} px`);

  // Printable: the print stylesheet applies and Chromium makes a PDF of it.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header nav').isVisible(), false, 'navigation hidden in print');
  const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
  assert.ok(pdf.length > 50_000, `PDF of ${pdf.length} bytes`);
  await page.emulateMedia({ media: 'screen' });

  await page.screenshot({ path: join(shots, 'report-demo.png'), fullPage: true });
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, [], 'the report fetches nothing');
  await page.close();
});

test('a 72-hour report with 1,000+ seizures opens in under 3 s', { skip: !large && (process.env.CI === 'true' ? false : 'EIMFS_LARGE_REPORT not set') }, async () => {
  assert.ok(large && existsSync(large), 'EIMFS_LARGE_REPORT must name the large report in CI');
  const mb = statSync(large).size / 1e6;
  const { page, problems, requests, openMs } = await open(large);
  const rows = await page.locator('#seizures tbody tr').count();
  const timing = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  console.log(`large report: ${mb.toFixed(2)} MB, ${rows} seizures; DOMContentLoaded ${timing.domContentLoaded.toFixed(0)} ms, load ${timing.load.toFixed(0)} ms, open + paint ${openMs.toFixed(0)} ms`);
  assert.ok(mb < 10, `${mb.toFixed(2)} MB`);
  assert.ok(rows >= 1000, `${rows} seizures`);
  assert.ok(openMs < OPEN_LIMIT_MS, `opened in ${openMs.toFixed(0)} ms`);
  await page.screenshot({ path: join(shots, 'report-72h.png'), fullPage: false });
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, []);
  await page.close();
});
