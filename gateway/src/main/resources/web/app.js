// The meshpipe web page: submit volumes, watch jobs, look at their meshes. Plain modules, no
// framework; everything goes through the same HTTP API as any other client (docs/api.md).

const $ = (id) => document.getElementById(id);
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED', 'UNKNOWN']);
const TRACK_KEY = 'meshpipe.tracked';
const PAGE = 20;

/** Every job shown: id -> last status (null until known). */
const jobs = new Map();
/** The server's listing of the caller's jobs (GET /jobs), newest first, as far as loaded. */
let listed = [];
let nextCursor = null;
/** Ids added by hand ("Watch a job by id"), shown above the listing while it lacks them. */
const tracked = JSON.parse(sessionStorage.getItem(TRACK_KEY) || '[]');
/** Jobs submitted here that no listing has shown yet: on top until one does, then where it lists them. */
const pending = new Set();
/** Jobs this page submitted or was asked to watch: the first of them to succeed opens by itself. */
const mine = new Set(tracked);
let selected = null;
let viewerUrl = null;

function remember() {
  sessionStorage.setItem(TRACK_KEY, JSON.stringify(tracked.slice(0, 200)));
}

/** The rows in order: watched jobs the listing has not got, then the listing. */
function order() {
  const inList = new Set(listed);
  return [...[...pending].reverse().filter((id) => !inList.has(id)), ...tracked.filter((id) => !inList.has(id) && !pending.has(id)), ...listed];
}

function authHeaders() {
  const token = $('token').value.trim();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** An API error as the problem's title and detail (RFC 9457), never raw JSON. */
class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.title = body.title || `HTTP ${status}`;
    this.detail = body.detail || '';
    this.code = body.code;
  }
}

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: { ...authHeaders(), ...(options.headers || {}) } });
  if (!res.ok) {
    let body = {};
    try {
      body = await res.json();
    } catch (e) {
      body = { title: `HTTP ${res.status}`, detail: res.statusText };
    }
    throw new Problem(res.status, body);
  }
  return res;
}

function showProblem(e) {
  $('problem-title').textContent = e.title || 'Something went wrong';
  $('problem-detail').textContent = e.detail !== undefined ? e.detail : String(e.message || e);
  $('problem').hidden = false;
}

function formatBytes(n) {
  if (n == null) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

function render() {
  const body = $('jobs').querySelector('tbody');
  body.replaceChildren();
  for (const id of order()) {
    const s = jobs.get(id) || null;
    const tr = document.createElement('tr');
    tr.dataset.id = id;
    if (id === selected) tr.className = 'selected';
    const state = s ? s.state : 'UNKNOWN';
    const cells = [
      s && s.name ? `${s.name} (${id.slice(0, 8)})` : id,
      state,
      '',
      s && s.submittedAt ? new Date(s.submittedAt).toLocaleString() : '',
      s && s.triangles != null ? s.triangles.toLocaleString() : '',
      s && s.result ? formatBytes(s.result.size) : '',
      '',
    ];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 1) td.className = `state state-${state}`;
      if (i === 4 || i === 5) td.className = 'num';
      tr.appendChild(td);
    });
    const bar = document.createElement('progress');
    bar.max = 100;
    // jobProgress covers the whole job; progress starts again at 0 in each state.
    const done = s ? (s.jobProgress ?? s.progress) : 0;
    bar.value = done;
    bar.title = s ? `${done}% ${s.stage || ''}` : '';
    tr.children[2].appendChild(bar);
    if (s && s.error) tr.children[1].title = `${s.error.code}: ${s.error.message}`;
    const actions = tr.children[6];
    if (state === 'SUCCEEDED') actions.appendChild(button('View', () => select(id)));
    if (s && !FINAL.has(state)) actions.appendChild(button('Cancel', () => cancel(id)));
    body.appendChild(tr);
  }
  $('no-jobs').hidden = order().length > 0;
  $('more').hidden = !nextCursor;
}

function button(label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Follows jobs through their event streams (GET /jobs/{id}/events, Server-Sent Events) rather
 * than polling. EventSource cannot send the Authorization header, so the stream is read with
 * fetch and parsed here. A browser opens about six connections per server, so at most
 * MAX_STREAMS jobs are streamed at once; the others, and any job whose stream broke (until it
 * reconnects with Last-Event-ID), are polled. A gateway without the route (404 NOT_FOUND) is
 * polled from then on.
 */
const MAX_STREAMS = 3;
const streams = new Map(); // id -> AbortController
const retryAt = new Map(); // id -> when its stream may be opened again
let eventsSupported = true;
window.meshpipeStatusEvents = 0; // status events received, for the browser test

async function follow(id) {
  const abort = new AbortController();
  streams.set(id, abort);
  let lastId = null;
  let retry = 2000;
  try {
    while (!abort.signal.aborted) {
      const headers = { ...authHeaders(), Accept: 'text/event-stream' };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const res = await fetch(`/jobs/${encodeURIComponent(id)}/events`, { headers, signal: abort.signal });
      if (res.status === 204) return; // the end was already seen
      if (!res.ok || !(res.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
        let body = {};
        try {
          body = await res.json();
        } catch (e) {
          // not a problem body
        }
        if (res.status === 404 && body.code !== 'JOB_NOT_FOUND') eventsSupported = false;
        retryAt.set(id, Date.now() + 5000); // polled meanwhile, which reports a 404 or a 401 as it always has
        return;
      }
      let finished = false;
      await readEvents(res.body, abort.signal, (ev) => {
        if (ev.retry) retry = Math.min(Math.max(ev.retry, 100), 10000);
        if (ev.event !== 'status' || !ev.data) return;
        if (ev.id) lastId = ev.id;
        const next = JSON.parse(ev.data);
        window.meshpipeStatusEvents++;
        if (update(id, next)) render();
        finished = FINAL.has(next.state);
      });
      if (finished) return;
      await new Promise((done) => setTimeout(done, retry)); // ended early or broke: again, from lastId
    }
  } catch (e) {
    if (!abort.signal.aborted) retryAt.set(id, Date.now() + retry);
  } finally {
    if (streams.get(id) === abort) streams.delete(id);
  }
}

/** Reads an event stream to its end, calling onEvent with {event, data, id, retry} for each event. */
async function readEvents(body, signal, onEvent) {
  const reader = body.getReader();
  signal.addEventListener('abort', () => reader.cancel().catch(() => {}));
  const decoder = new TextDecoder();
  let buffer = '';
  let ev = { data: '' };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      if (buffer[nl] === '\r' && nl === buffer.length - 1) break; // its \n may be in the next chunk
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (ev.data || ev.retry) onEvent(ev);
        ev = { data: '' };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let v = colon < 0 ? '' : line.slice(colon + 1);
        if (v.startsWith(' ')) v = v.slice(1);
        if (field === 'data') ev.data = ev.data ? `${ev.data}\n${v}` : v;
        else if (field === 'retry' && /^\d+$/.test(v)) ev.retry = Number(v);
        else if (field === 'event' || field === 'id') ev[field] = v;
      }
    }
  }
}

/**
 * Re-reads the first part of the listing (as many jobs as are loaded, up to the API's 100), then
 * follows the shown jobs that can still change through their event streams, polling those it
 * cannot stream; redraws only when something changed (so buttons stay put).
 */
async function refresh() {
  let changed = false;
  const fresh = new Set();
  try {
    const limit = Math.min(100, Math.max(PAGE, listed.length));
    const page = await (await api(`/jobs?limit=${limit}`)).json();
    const ids = page.jobs.map((j) => j.id);
    const rest = listed.slice(limit).filter((id) => !ids.includes(id));
    const cursor = listed.length <= limit ? page.next : nextCursor;
    if (ids.join() !== listed.slice(0, ids.length).join() || cursor !== nextCursor || listed.length !== ids.length + rest.length) changed = true;
    listed = [...ids, ...rest];
    nextCursor = cursor;
    for (const j of page.jobs) {
      fresh.add(j.id);
      pending.delete(j.id);
      changed = update(j.id, j) || changed;
    }
  } catch (e) {
    if (e.status === 401) {
      showProblem(e);
      return;
    }
  }
  for (const id of order()) {
    const s = jobs.get(id);
    if (s && FINAL.has(s.state)) continue;
    if (streams.has(id)) continue;
    if (eventsSupported && streams.size < MAX_STREAMS && !(retryAt.get(id) > Date.now())) {
      follow(id);
      continue;
    }
    if (fresh.has(id)) continue;
    try {
      const res = await api(`/jobs/${encodeURIComponent(id)}`);
      changed = update(id, await res.json()) || changed;
    } catch (e) {
      if (e.status === 404) {
        changed = update(id, { id, state: 'UNKNOWN', progress: 0, stage: 'not known to the gateway' }) || changed;
      } else if (e.status === 401) {
        showProblem(e);
        break;
      }
    }
  }
  if (changed) render();
}

/** Records a job's status; true when it changed. */
function update(id, next) {
  const s = jobs.get(id);
  if (JSON.stringify(next) === JSON.stringify(s)) return false;
  jobs.set(id, next);
  if (mine.has(id)) {
    if (next.state === 'FAILED' && next.error && next.error.code === 'AMBIGUOUS_SERIES' && (!s || s.state !== 'FAILED')) showSeriesChoice(next.error.message);
    if (next.state === 'SUCCEEDED' && selected === null) select(id);
  }
  return true;
}

/** The next page of the listing, after the last job loaded. */
async function more() {
  if (!nextCursor) return;
  try {
    const page = await (await api(`/jobs?limit=${PAGE}&cursor=${encodeURIComponent(nextCursor)}`)).json();
    for (const j of page.jobs) {
      if (!listed.includes(j.id)) listed.push(j.id);
      jobs.set(j.id, j);
    }
    nextCursor = page.next;
    render();
  } catch (e) {
    showProblem(e);
  }
}

async function submit(event) {
  event.preventDefault();
  const file = $('file').files[0];
  const spec = $('spec').value.trim();
  const formats = [...document.querySelectorAll('input[name=format]:checked')].map((c) => c.value);
  // Empty fields are left out, so the input's own default applies (auto for a file, the
  // synthetic shape's level for a spec, whose automatic threshold would misplace the surface).
  const iso = $('iso').value.trim() || undefined;
  const name = $('name').value.trim() || undefined;
  const params = new URLSearchParams();
  if (iso) params.set('iso', iso);
  params.set('borders', $('borders').value);
  params.set('space', $('space').value);
  if (formats.length) params.set('formats', formats.join(','));
  if (name) params.set('name', name);
  const preset = $('preset') ? $('preset').value : 'raw';
  if (preset !== 'raw') params.set('preset', preset);
  const mode = $('mode').value;
  const labels = $('labels').value.trim();
  if (mode !== 'auto') params.set('mode', mode);
  if (labels) params.set('labels', labels);
  const series = $('series').value.trim();
  if (file && isZip(file) && series) params.set('series', series);
  const callbackUrl = $('callback-url').value.trim() || undefined;
  if (callbackUrl) params.set('callbackUrl', callbackUrl);
  const colorsFile = $('colors').files[0];
  try {
    let status;
    if (file) {
      status = await upload(`/jobs?${params}`, file, colorsFile);
    } else if (spec) {
      const res = await api('/jobs', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ input: { synthetic: spec }, params: { iso, borders: $('borders').value, space: $('space').value, formats, name, preset: preset !== 'raw' ? preset : undefined, mode: mode !== 'auto' ? mode : undefined, labels: labels || undefined, colors: colorsFile ? await colorsFile.text() : undefined, callbackUrl } }),
      });
      status = await res.json();
    } else {
      showProblem({ title: 'Nothing to submit', detail: 'choose a volume file or type a synthetic volume spec' });
      return;
    }
    $('series-choice').hidden = true;
    // On top at once, even before a listing that has it arrives; then where the server lists it (first).
    mine.add(status.id);
    jobs.set(status.id, status);
    pending.add(status.id);
    render();
  } catch (e) {
    showProblem(e);
  }
}

function isZip(file) {
  return /\.zip$/i.test(file.name) || file.type === 'application/zip' || file.type === 'application/x-zip-compressed';
}

/** The series field matters only for a ZIP (a DICOM series); a lone file is one series. */
function fileChosen() {
  const file = $('file').files[0];
  $('series-field').hidden = !(file && isZip(file));
}

/**
 * The series that an AMBIGUOUS_SERIES failure lists ("{uid U, number N, description 'D',
 * modality M, K slices}", see DicomSeries), as buttons: a click names the series and submits the
 * same ZIP again.
 */
function showSeriesChoice(message) {
  const found = [...message.matchAll(/\{uid (.*?), number (.*?), description '(.*?)', modality (.*?), (\d+) slices?\}/g)];
  if (!found.length) return;
  const numbers = found.map((m) => m[2]);
  const list = $('series-list');
  list.replaceChildren();
  for (const [, uid, number, description, modality, slices] of found) {
    // A number names the series only when it is there and no other series shares it.
    const name = number !== '(none)' && numbers.filter((n) => n === number).length === 1 ? number : uid;
    const li = document.createElement('li');
    li.dataset.series = name;
    li.appendChild(button(`Mesh series ${number}`, () => pickSeries(name)));
    li.append(` ${description || '(no description)'}: ${modality}, ${slices} slice${slices === '1' ? '' : 's'} (${uid})`);
    list.appendChild(li);
  }
  $('series-choice-text').textContent = `The ZIP holds ${found.length} image series; pick the one to mesh.`;
  $('series-choice').hidden = false;
}

function pickSeries(name) {
  $('series').value = name;
  $('series-choice').hidden = true;
  const file = $('file').files[0];
  if (file && isZip(file)) $('submit-form').requestSubmit();
  else showProblem({ title: 'Choose the ZIP again', detail: `series ${name} is filled in: choose the same ZIP and submit` });
}

/** Streams the file with upload progress (fetch has none), answering like api(). */
function upload(url, file, colorsFile) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const bar = $('upload-progress');
    xhr.open('POST', url);
    // A colour table goes beside the volume as a form (the browser sets the multipart boundary);
    // a volume alone as its raw bytes, so the gateway can refuse a bad header early.
    let body = file;
    if (colorsFile) {
      body = new FormData();
      body.append('volume', file);
      body.append('colors', colorsFile);
    } else {
      xhr.setRequestHeader('Content-Type', isZip(file) ? 'application/zip' : 'application/octet-stream');
    }
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    bar.hidden = false;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total;
    };
    xhr.onload = () => {
      bar.hidden = true;
      let body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        body = { title: `HTTP ${xhr.status}` };
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new Problem(xhr.status, body));
    };
    xhr.onerror = () => {
      bar.hidden = true;
      reject(new Problem(0, { title: 'Upload failed', detail: 'the gateway could not be reached' }));
    };
    xhr.send(body);
  });
}

async function cancel(id) {
  try {
    const res = await api(`/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });
    jobs.set(id, await res.json());
    render();
  } catch (e) {
    showProblem(e);
  }
}

async function blobUrl(path) {
  const res = await api(path);
  return URL.createObjectURL(await res.blob());
}

async function select(id) {
  selected = id;
  render();
  const s = jobs.get(id);
  $('detail').hidden = false;
  $('detail-title').textContent = s && s.name ? `${s.name} (${id})` : id;
  try {
    $('preview').hidden = false;
    $('preview').src = await blobUrl(`/jobs/${id}/preview.png`);
    const q = await (await api(`/jobs/${id}/quality.json`)).json();
    if (q.mode === 'labels') showLabelQuality(q);
    else showQuality(q);
  } catch (e) {
    showProblem(e);
  }
  if (viewerUrl) URL.revokeObjectURL(viewerUrl);
  viewerUrl = null;
  try {
    viewerUrl = await blobUrl(`/jobs/${id}/mesh.glb`);
    $('viewer').src = viewerUrl;
    $('viewer').hidden = false;
    $('no-glb').hidden = true;
  } catch (e) {
    $('viewer').hidden = true;
    if (e.status === 404) $('no-glb').hidden = false;
    else showProblem(e);
  }
}

/** The finishing section's key figures: how far the finished surface is from the data. */
function accuracyRows(f) {
  if (!f) return [];
  const s = f.surface;
  const pct = (x) => (x == null || Number.isNaN(x) ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`);
  const rows = [
    ['Finish', f.options.preset],
    ['Volume change (finished vs raw)', pct(f.volumeChangePercent)],
  ];
  if (f.voxelVolume != null) rows.push(['Volume vs voxel count', pct(f.finishedVsVoxelPercent)]);
  if (f.hausdorffToRaw && f.hausdorffToRaw.p95 != null) {
    rows.push(['Distance to raw (p95 / max)', `${f.hausdorffToRaw.p95.toFixed(3)} / ${f.hausdorffToRaw.max.toFixed(3)} mm`]);
  }
  rows.push(['Watertight / manifold / oriented', [s.watertight, s.manifold, s.oriented].map((b) => (b ? 'yes' : 'no')).join(' / ')]);
  if (s.selfIntersections != null) rows.push(['Self-intersections', s.selfIntersections.toLocaleString()]);
  return rows;
}

/** A label map's figures: totals in the quality table, then one row per structure with its colour. */
function showLabelQuality(q) {
  const t = q.totals;
  const rows = [
    ['Mode', `labels (${q.modeReason})`],
    ['Structures', `${t.structures} of ${t.labelsPresent} labels`],
    ['Triangles', t.triangles.toLocaleString()],
    ['All watertight', t.allWatertight ? 'yes' : `no (${t.pinchedEdges} pinched edges)`],
    ['Worst volume difference', `${t.worstVolumeDifferencePercent.toFixed(2)}%`],
    ['Smoothing', q.smoothing],
  ];
  // What a slicer sees: vertices at the same point merged (docs/labels.md, "Diagonal edges").
  if (t.pinchedEdgesByPosition != null) {
    rows.push(['Manifold when welded by position', t.structuresNotManifoldByPosition
      ? `no (${t.pinchedEdgesByPosition} edges in ${t.structuresNotManifoldByPosition} structures)` : 'yes']);
  }
  if (q.cavities) {
    rows.push(['Cavities filled', `${q.cavities.cavitiesFilled} (${q.cavities.voxelsFilled} voxels); left: ${q.cavities.cavitiesLeft}`]);
  }
  fillRows($('quality'), rows);
  const table = $('structures');
  table.hidden = false;
  table.querySelector('tbody').replaceChildren(...q.structures.map((s, k) => {
    const tr = document.createElement('tr');
    tr.dataset.label = s.label;
    const show = document.createElement('input');
    show.type = 'checkbox';
    show.checked = true;
    show.title = `show or hide ${s.name}`;
    show.addEventListener('change', () => setStructureVisible(k, s.colour, show.checked));
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = s.colour;
    const cells = [show, swatch, String(s.label), s.name, `${s.voxelVolume.toFixed(1)} mm³`];
    for (const c of cells) {
      const td = document.createElement('td');
      if (typeof c === 'string') td.textContent = c;
      else td.appendChild(c);
      tr.appendChild(td);
    }
    return tr;
  }));
}

/** labels.glb has one material per structure, in quality.json's order: a hidden one is made transparent. */
function setStructureVisible(k, colour, visible) {
  const model = $('viewer').model;
  const m = model && model.materials[k];
  if (!m) return;
  const [r, g, b, a] = m.pbrMetallicRoughness.baseColorFactor;
  m.setAlphaMode(visible && a >= 1 ? 'OPAQUE' : 'BLEND');
  m.pbrMetallicRoughness.setBaseColorFactor([r, g, b, visible ? 1 : 0]);
}

function fillRows(table, rows) {
  table.querySelector('tbody').replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement('tr');
    for (const text of [k, v]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  }));
}

function showQuality(q) {
  $('structures').hidden = true;
  const rows = [
    ['Vertices', q.vertices.toLocaleString()],
    ['Triangles', q.triangles.toLocaleString()],
    ['Isovalue', `${q.isovalue} (${q.isovalueSource})`],
    ['Watertight', q.watertight ? 'yes' : `no (${q.boundaryEdges} boundary edges)`],
    ['Surface area', `${q.surfaceArea.toFixed(1)} mm²`],
    ['Enclosed volume', q.enclosedVolume != null ? `${q.enclosedVolume.toFixed(1)} mm³` : 'n/a (not closed)'],
    ['Components', q.connectedComponents],
    ['Device', q.device],
    ['Input', q.input],
    ...accuracyRows(q.finishing),
  ];
  const body = $('quality').querySelector('tbody');
  body.replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement('tr');
    for (const text of [k, v]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  }));
}

/** {name}-{id}.zip as the gateway's Content-Disposition names it (ZipNames.java), or {id}.zip. */
function zipName(s, id) {
  let safe = (s && s.name ? s.name : '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '');
  if (safe.length > 64) safe = safe.slice(0, 64).replace(/[.-]+$/, '');
  return safe ? `${safe}-${id}.zip` : `${id}.zip`;
}

async function download() {
  if (!selected) return;
  try {
    const url = await blobUrl(`/jobs/${selected}/download`);
    const a = document.createElement('a');
    a.href = url;
    a.download = zipName(jobs.get(selected), selected);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    showProblem(e);
  }
}

$('token').value = sessionStorage.getItem('meshpipe.token') || '';
$('token').addEventListener('change', () => {
  sessionStorage.setItem('meshpipe.token', $('token').value);
  // The streams carry the old token: open them again with the new one.
  for (const abort of streams.values()) abort.abort();
  streams.clear();
  retryAt.clear();
  // Another token may be another tenant: its listing starts afresh.
  listed = [];
  nextCursor = null;
  render();
  refresh();
});
$('submit-form').addEventListener('submit', submit);
$('file').addEventListener('change', fileChosen);
$('track-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = $('track-id').value.trim();
  if (id) {
    if (!tracked.includes(id)) tracked.unshift(id);
    mine.add(id);
    remember();
    render();
    refresh();
  }
});
// Bone-coloured, as in preview.png: a white mesh under studio light reads as a flat silhouette.
$('viewer').addEventListener('load', () => {
  const m = $('viewer').model;
  if (m && m.materials.length) m.materials[0].pbrMetallicRoughness.setBaseColorFactor([0.86, 0.8, 0.66, 1]);
});
$('problem-close').addEventListener('click', () => ($('problem').hidden = true));
$('download').addEventListener('click', download);
$('more').addEventListener('click', more);
render();
refresh();
setInterval(refresh, 1000);
