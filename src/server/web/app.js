// The sift search page: stage-1 and re-ranked results side by side, and an answer with
// citations. One request per search: /v1/ask with compare: true (server-sent events: both columns
// first, then the answer as it is written), or /v1/search with compare: true on servers without
// answers. Plain DOM, no build step, no framework; every text from the server goes in as
// textContent, never as HTML.

const $ = (id) => document.getElementById(id);
const state = { health: null, controller: null };

function apiKey() {
  return $('api-key').value.trim() || sessionStorage.getItem('sift-api-key') || '';
}

function headers() {
  const h = { 'content-type': 'application/json', accept: 'application/json' };
  const key = apiKey();
  if (key) h.authorization = `Bearer ${key}`;
  return h;
}

async function call(path, body, signal) {
  const res = await fetch(path, { method: 'POST', headers: headers(), body: JSON.stringify(body), signal });
  if (!res.ok) throw await responseError(res);
  return res;
}

async function responseError(res) {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401) $('key-box').open = true;
  const err = new Error(message);
  err.status = res.status;
  return err;
}

function showError(err) {
  const box = $('error');
  box.textContent = err ? String(err.message || err) : '';
  box.hidden = !err;
}

function fmtMs(ms) {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

function basename(path) {
  const parts = String(path).split(/[\\/]/);
  return parts[parts.length - 1] || String(path);
}

/** The move of a re-ranked hit relative to its stage-1 rank: ↑3, ↓2, = or new (outside the stage-1 top-k). */
function moveOf(hit, semanticIds) {
  if (!semanticIds.has(hit.id)) return { text: `new (was #${hit.retrieval_rank})`, cls: 'new' };
  const d = hit.retrieval_rank - hit.rank;
  if (d > 0) return { text: `↑${d}`, cls: 'up' };
  if (d < 0) return { text: `↓${-d}`, cls: 'down' };
  return { text: '=', cls: 'same' };
}

function renderHit(hit, list, context) {
  const li = $('hit-template').content.firstElementChild.cloneNode(true);
  li.dataset.id = hit.id;
  li.querySelector('.rank').textContent = `#${hit.rank}`;
  const move = li.querySelector('.move');
  if (list === 'reranked') {
    const m = moveOf(hit, context.semanticIds);
    move.textContent = m.text;
    move.classList.add(m.cls);
  } else if (!context.rerankedIds.has(hit.id)) {
    move.textContent = 'dropped';
    move.classList.add('dropped');
    li.classList.add('dropped');
  }
  const source = li.querySelector('.source');
  source.textContent = `${hit.heading_path || hit.title || basename(hit.source)} · chunk ${hit.chunk_index}`;
  source.title = hit.source;
  const relevance = typeof hit.relevance_score === 'number' ? hit.relevance_score : null;
  const bar = li.querySelector('.bar');
  const fill = li.querySelector('.fill');
  // Both columns draw the judge's 0..1 relevance, so bars compare across columns.
  fill.style.width = `${Math.max(2, Math.round((relevance ?? 0) * 100))}%`;
  bar.setAttribute('aria-label', relevance === null ? 'not judged' : `relevance ${relevance.toFixed(3)}`);
  li.querySelector('.scores').textContent =
    `judge ${relevance === null ? '–' : relevance.toFixed(3)} · ${context.mode} ${Number(hit.retrieval_score).toFixed(4)} (stage-1 #${hit.retrieval_rank})`;
  li.querySelector('.text').textContent = hit.text;
  li.addEventListener('mouseenter', () => link(hit.id, true));
  li.addEventListener('mouseleave', () => link(hit.id, false));
  return li;
}

function link(id, on) {
  for (const el of document.querySelectorAll('.hit')) {
    if (el.dataset.id === id) el.classList.toggle('linked', on);
  }
}

function renderComparison(result) {
  const semanticIds = new Set(result.semantic.map((h) => h.id));
  const rerankedIds = new Set(result.reranked.map((h) => h.id));
  const context = { semanticIds, rerankedIds, mode: result.mode };
  $('semantic').replaceChildren(...result.semantic.map((h) => renderHit(h, 'semantic', context)));
  $('reranked').replaceChildren(...result.reranked.map((h) => renderHit(h, 'reranked', context)));
  $('semantic-mode').textContent = `(${result.mode})`;
  $('reranker-name').textContent = `(${result.reranker})`;
  $('columns').hidden = false;
  const changed = $('changed');
  changed.replaceChildren();
  const strong = document.createElement('strong');
  strong.textContent = `${result.changed} of ${result.reranked.length}`;
  changed.append(strong, ' re-ranked results were not in the stage-1 top list');
  const t = result.timings;
  $('timings').textContent =
    `retrieve ${fmtMs(t.retrieve_ms)} · rerank ${fmtMs(t.rerank_ms)} · total ${fmtMs(t.total_ms)}`;
  $('summary').hidden = false;
}

/** Reads a text/event-stream response: yields {event, data} for each event. */
async function* readEvents(res) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, '\n');
    let at;
    while ((at = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) };
    }
  }
}

/** Answer panel: one /v1/ask call whose first event carries both columns, then the answer as it streams. */
async function ask(body, signal) {
  const panel = $('answer');
  const text = $('answer-text');
  const citations = $('citations');
  citations.replaceChildren();
  text.textContent = '…';
  panel.hidden = false;
  const res = await call('/v1/ask', { ...body, compare: true }, signal);
  let answer = '';
  for await (const { event, data } of readEvents(res)) {
    if (event === 'hits') {
      renderComparison(data);
    } else if (event === 'text') {
      answer += data.text;
      text.textContent = answer;
    } else if (event === 'done') {
      text.textContent = data.answer;
      citations.replaceChildren(
        ...data.citations.map((c) => {
          const li = document.createElement('li');
          li.value = c.n;
          const rel = typeof c.relevance === 'number' ? ` · relevance ${c.relevance.toFixed(3)}` : '';
          li.textContent = `${basename(c.source)}${rel}`;
          li.title = c.source;
          return li;
        }),
      );
    } else if (event === 'error') {
      throw new Error(data.error.message);
    }
  }
}

async function search(event) {
  event.preventDefault();
  const query = $('query').value.trim();
  if (!query) return;
  if ($('api-key').value.trim()) sessionStorage.setItem('sift-api-key', $('api-key').value.trim());
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  showError(null);
  $('submit').disabled = true;
  const body = {
    query,
    top_k: Number($('top-k').value),
    candidates: Number($('candidates').value),
    ...($('mode').value ? { mode: $('mode').value } : {}),
  };
  try {
    if (state.health && state.health.ask) {
      await ask(body, controller.signal);
    } else {
      const res = await call('/v1/search', { ...body, compare: true }, controller.signal);
      renderComparison(await res.json());
    }
  } catch (err) {
    if (err.name !== 'AbortError') showError(err);
  } finally {
    if (state.controller === controller) $('submit').disabled = false;
  }
}

async function init() {
  $('search-form').addEventListener('submit', search);
  try {
    const res = await fetch('/health', { headers: { accept: 'application/json' } });
    const health = await res.json();
    state.health = health;
    $('status').textContent = `judge: ${health.model}`;
    const select = $('mode');
    if (health.search) {
      select.replaceChildren(
        ...health.search.modes.map((m) => {
          const o = document.createElement('option');
          o.value = m;
          o.textContent = m;
          o.selected = m === health.search.default_mode;
          return o;
        }),
      );
    } else {
      $('unavailable').hidden = false;
      $('submit').disabled = true;
      select.disabled = true;
    }
  } catch (err) {
    $('status').textContent = 'server not reachable';
    showError(err);
  }
  document.body.dataset.ready = 'true';
}

init();
