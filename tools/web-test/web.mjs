// Drives the gateway's web page in a real headless Chromium: shows an API error as a problem,
// uploads a volume, waits for the job to finish, opens the 3D view and screenshots it.
//
//   node tools/web-test/web.mjs BASE_URL VOLUME_FILE OUT_DIR [DICOM_ZIP] [LABEL_MAP]
//
// With DICOM_ZIP (a ZIP holding two series), it also uploads that ZIP without naming a series,
// waits for the page to list the series of the AMBIGUOUS_SERIES failure, and picks the first.
// With LABEL_MAP (a NIfTI label map), it uploads it with labels 1,3 (mode left auto) and a colour
// table file naming label 1, opens the job and reads the structure list and the preview, then
// hides the first structure in the 3D view.
//
// Writes OUT_DIR/viewer.png (the 3D view) and OUT_DIR/page.png, and prints one JSON line of
// findings for the calling test to check. Chromium: $CHROMIUM or Debian's /usr/bin/chromium.
// Every wait is on a condition, with a generous limit: software WebGL on a busy two-core machine
// can take minutes where an idle one takes seconds.
import { chromium } from 'playwright-core';

const [base, volume, out, dicomZip, labelMap] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const findings = {};
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  page.setDefaultTimeout(600000);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(base);
  // The page lists the caller's jobs from the server (GET /jobs), so a job submitted elsewhere,
  // here straight through the API, shows up in it without being added by id.
  const elsewhere = await (await fetch(`${base}/jobs`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ input: { synthetic: 'sphere:16:5' }, params: { name: 'api-elsewhere' } }),
  })).json();
  await page.waitForSelector(`#jobs tbody tr[data-id="${elsewhere.id}"]`);
  findings.elsewhereListed = elsewhere.id;
  // Empty means the input's own default (auto for a file, the shape's level for a synthetic spec).
  findings.isoField = await page.inputValue('#iso');

  // An API error is shown as the problem's title and detail, not raw JSON.
  await page.fill('#spec', 'sphere:32:10');
  await page.fill('#iso', 'banana');
  await page.click('#submit');
  await page.waitForSelector('#problem:not([hidden])');
  findings.problemText = (await page.textContent('#problem')).trim();
  await page.click('#problem-close');

  // Upload a real volume and watch it finish.
  await page.fill('#spec', '');
  await page.fill('#iso', '');
  await page.setInputFiles('#file', volume);
  findings.seriesFieldForVolume = await page.isVisible('#series-field');
  await page.fill('#name', 'web-upload');
  // The id from the table: the inspector may drop the body of an answer to a large upload.
  const before = await page.$eval('#jobs tbody tr', (tr) => tr.dataset.id);
  await page.click('#submit');
  const head = await newFirstRow(page, before);
  // Other jobs of the listing may have finished long ago: wait for this one's row.
  await page.waitForSelector(`#jobs tbody tr[data-id="${head}"] td.state-SUCCEEDED`);
  findings.row = await page.$eval(`#jobs tbody tr[data-id="${head}"]`, (tr) => [...tr.children].map((td) => td.textContent));
  // The page followed the job through its event stream, not by polling.
  findings.statusEvents = await page.evaluate(() => window.meshpipeStatusEvents);

  await page.click(`#jobs tbody tr[data-id="${head}"] button:text("View")`);
  await page.waitForFunction(() => document.getElementById('viewer').loaded === true);
  await page.waitForFunction(() => document.querySelectorAll('#quality tr').length > 0);
  await frames(page);
  findings.quality = await page.$eval('#quality', (t) => t.textContent);
  findings.previewLoaded = await page.$eval('#preview', (img) => img.complete && img.naturalWidth > 0);
  // Software WebGL draws an auto-rotating head of 1.4M triangles slowly, so the element never
  // looks "stable" to Playwright: stop the rotation, let a frame or two render, shoot its box.
  // Back to the front view, which must show the face (the GLB's node turns RAS into glTF's frame).
  await page.$eval('#viewer', (v) => { v.autoRotate = false; v.resetTurntableRotation(0); v.jumpCameraToGoal(); });
  await frames(page);
  const box = await page.locator('#viewer').boundingBox();
  await page.screenshot({ path: `${out}/viewer.png`, clip: box });
  await page.screenshot({ path: `${out}/page.png`, fullPage: true });

  // A synthetic shape with the isovalue left empty and a name: the test checks the job the page
  // submitted (its name, and the spec's own isovalue rather than an automatic one).
  await page.setInputFiles('#file', []);
  await page.fill('#spec', 'torus:32');
  await page.fill('#name', 'web-torus');
  const submitted = page.waitForResponse((r) => r.url().endsWith('/jobs') && r.request().method() === 'POST');
  await page.click('#submit');
  findings.syntheticJob = await (await submitted).json();

  if (dicomZip) {
    // A ZIP of two series, none named: the job fails with AMBIGUOUS_SERIES and the page lists both;
    // picking one submits the same ZIP again with that series.
    await page.fill('#spec', '');
    await page.setInputFiles('#file', dicomZip);
    findings.seriesFieldForZip = await page.isVisible('#series-field');
    await page.fill('#name', 'web-dicom');
    // Job ids come from the table, not from response bodies: after the head's upload and 3D view,
    // the browser's inspector may already have dropped the bodies of later responses.
    await page.click('#submit');
    findings.ambiguousJob = { id: await newFirstRow(page, findings.syntheticJob.id) };
    await page.waitForSelector('#series-choice:not([hidden])');
    findings.seriesChoices = await page.$$eval('#series-list li', (lis) => lis.map((li) => li.dataset.series));
    findings.seriesChoiceText = (await page.textContent('#series-list')).trim();
    const picked = page.waitForRequest((r) => r.url().includes('/jobs?') && r.method() === 'POST');
    await page.click('#series-list li:first-child button');
    findings.pickedUrl = (await picked).url();
    findings.pickedJob = { id: await newFirstRow(page, findings.ambiguousJob.id) };
    findings.seriesField = await page.inputValue('#series');
  }

  if (labelMap) {
    const before = await page.$eval('#jobs tbody tr', (tr) => tr.dataset.id);
    await page.fill('#spec', '');
    await page.setInputFiles('#file', labelMap);
    await page.fill('#name', 'web-labels');
    await page.fill('#labels', '1,3');
    // Its names and colours as a file beside the volume (the form then goes as multipart/form-data).
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${out}/colors.json`, JSON.stringify({ 1: { name: 'liver', color: '#a0522d' } }));
    await page.setInputFiles('#colors', `${out}/colors.json`);
    await page.click('#submit');
    const id = await newFirstRow(page, before);
    findings.labelJob = { id };
    await page.waitForSelector(`#jobs tbody tr[data-id="${id}"] td.state-SUCCEEDED`);
    await page.click(`#jobs tbody tr[data-id="${id}"] button:text("View")`);
    await page.waitForFunction(() => document.querySelectorAll('#structures tbody tr').length > 0);
    await page.waitForFunction(() => document.getElementById('viewer').loaded === true);
    findings.structures = await page.$$eval('#structures tbody tr', (trs) => trs.map((tr) => ({
      label: tr.dataset.label,
      text: [...tr.children].map((td) => td.textContent).join('|'),
      swatch: tr.querySelector('.swatch').style.background,
    })));
    findings.labelQuality = await page.$eval('#quality', (t) => t.textContent);
    await page.waitForFunction(() => { const img = document.getElementById('preview'); return img.complete && img.naturalWidth > 0; });
    findings.labelPreviewHidden = await page.$eval('#preview', (img) => img.hidden);
    await page.setInputFiles('#colors', []);
    await page.click('#structures tbody tr:first-child input[type=checkbox]');
    findings.hiddenAlpha = await page.$eval('#viewer', (v) => v.model.materials[0].pbrMetallicRoughness.baseColorFactor[3]);
  }
  // Past the first page, "More" follows the listing's cursor.
  if (await page.isVisible('#more')) {
    const rows = await page.$$eval('#jobs tbody tr', (trs) => trs.length);
    await page.click('#more');
    await page.waitForFunction((n) => document.querySelectorAll('#jobs tbody tr').length > n, rows);
    findings.moreLoaded = true;
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(findings));

/** Waits until the jobs table's first row is a job other than {@code previous}; returns its id. */
async function newFirstRow(page, previous) {
  await page.waitForFunction((prev) => {
    const tr = document.querySelector('#jobs tbody tr');
    return tr && tr.dataset.id !== prev;
  }, previous);
  return page.$eval('#jobs tbody tr', (tr) => tr.dataset.id);
}

/** Waits until the page has drawn two more frames, however long a frame takes. */
async function frames(page) {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}
