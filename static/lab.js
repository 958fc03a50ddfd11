// Memdesc Lab: the little JavaScript the lab needs on top of htmx. The memmap grid's keyboard model
// (one tab stop, arrow keys), the console's history and completion, and applying compact memmap patches.
(function () {
  'use strict';
  // Sizes the server computes arrive as data-* attributes, and are set here through the CSSOM: the
  // Content-Security-Policy allows no style attributes (style-src-attr), but it does allow this.
  function applySizes() {
    const set = (sel, attr, prop, unit) => document.querySelectorAll(sel).forEach((el) => {
      const v = el.getAttribute(attr) + unit;
      if (el.style.getPropertyValue(prop) !== v) el.style.setProperty(prop, v);
    });
    set('[data-area]', 'data-area', 'grid-area', '');
    set('.bar[data-width]', 'data-width', 'width', '%');
    set('[data-depth]', 'data-depth', '--depth', '');
  }
  applySizes();
  document.addEventListener('htmx:oobAfterSwap', applySizes);
  document.addEventListener('htmx:afterSettle', applySizes);
  const body = document.body;
  const lesson = body.dataset.lesson;
  if (!lesson) return;
  const functions = JSON.parse(body.dataset.functions || '[]');
  const $ = (id) => document.getElementById(id);
  let current = null;          // PFN that holds the grid's single tab stop
  let historyIndex = -1;       // position while browsing console history with Up/Down
  let draft = '';

  // ------------------------------------------------------------------ memmap grid
  function grid() { return $('memmap'); }
  function cellOf(pfn) { return $('c' + pfn); }
  function bounds() {
    const g = grid();
    return { from: +g.dataset.from, count: +g.dataset.count, cols: +g.dataset.cols };
  }
  function setTabStop(pfn, focus) {
    const g = grid();
    if (!g) return;
    const old = g.querySelectorAll('[role=gridcell][tabindex="0"]');
    old.forEach((c) => { if (+c.dataset.pfn !== pfn) c.tabIndex = -1; });
    const c = cellOf(pfn);
    if (!c) return;
    c.tabIndex = 0;
    current = pfn;
    if (focus) c.focus();
  }
  function initGrid() {
    const g = grid();
    if (!g) return;
    const b = bounds();
    $('mm-from').value = b.from;
    const sel = +$('mm-selected').value;
    const want = current !== null && cellOf(current) ? current : (sel >= b.from && sel < b.from + b.count ? sel : b.from);
    setTabStop(want, false);
    markSelected();
  }
  function markSelected() {
    document.querySelectorAll('.cell.selected').forEach((c) => c.classList.remove('selected'));
    const sel = $('mm-selected').value;
    if (sel !== '' && +sel >= 0 && cellOf(sel)) cellOf(sel).classList.add('selected');
  }
  function inspect(pfn) {
    $('mm-selected').value = pfn;
    markSelected();
    htmx.ajax('GET', '/labs/' + encodeURIComponent(lesson) + '/inspect/' + pfn, { target: '#inspector-body', swap: 'outerHTML' });
  }
  document.addEventListener('click', (e) => {
    const c = e.target.closest('[role=gridcell]');
    if (!c) return;
    setTabStop(+c.dataset.pfn, true);
    inspect(+c.dataset.pfn);
  });
  document.addEventListener('keydown', (e) => {
    const c = e.target.closest && e.target.closest('[role=gridcell]');
    if (!c) return;
    const b = bounds();
    const pfn = +c.dataset.pfn;
    const last = b.from + b.count - 1;
    const rowStart = pfn - ((pfn - b.from) % b.cols);
    let next = null;
    switch (e.key) {
      case 'ArrowRight': next = Math.min(last, pfn + 1); break;
      case 'ArrowLeft': next = Math.max(b.from, pfn - 1); break;
      case 'ArrowDown': next = pfn + b.cols <= last ? pfn + b.cols : pfn; break;
      case 'ArrowUp': next = pfn - b.cols >= b.from ? pfn - b.cols : pfn; break;
      case 'Home': next = e.ctrlKey ? b.from : rowStart; break;
      case 'End': next = e.ctrlKey ? last : Math.min(last, rowStart + b.cols - 1); break;
      case 'PageDown': next = Math.min(last, pfn + b.cols * 8); break;
      case 'PageUp': next = Math.max(b.from, pfn - b.cols * 8); break;
      case 'Enter': case ' ': e.preventDefault(); inspect(pfn); return;
      default: return;
    }
    e.preventDefault();
    setTabStop(next, true);
  });

  // A large change arrives as runs of alike cells: [from, to, letter, kind, label].
  function applyPatch() {
    const p = $('mm-patch');
    if (!p) return;
    const runs = JSON.parse(p.dataset.runs || '[]');
    p.dataset.runs = '[]';
    for (const [from, to, letter, kind, label] of runs) {
      for (let pfn = from; pfn <= to; pfn++) {
        const c = cellOf(pfn);
        if (!c) continue;
        c.className = 'cell k-' + kind;
        c.setAttribute('aria-label', 'PFN ' + pfn + ': ' + label);
        c.querySelector('b').textContent = letter;
      }
    }
  }

  // ------------------------------------------------------------------ console
  const input = $('console-input');
  const form = $('console-form');
  function statements() {
    return Array.from(document.querySelectorAll('#console-log .entry[data-stmt]')).map((e) => e.dataset.stmt);
  }
  function autosize() {
    input.rows = Math.min(8, Math.max(1, input.value.split('\n').length));
  }
  function complete() {
    const upto = input.value.slice(0, input.selectionStart);
    const m = /[A-Za-z_]\w*$/.exec(upto);
    const out = $('completions');
    if (!m) return false;
    const word = m[0];
    const hits = functions.filter((f) => f.startsWith(word));
    if (hits.length === 0) { out.textContent = 'No function starts with ' + word + '.'; return false; }
    let common = hits[0];
    for (const h of hits) { while (!h.startsWith(common)) common = common.slice(0, -1); }
    let insert = common.slice(word.length);
    if (hits.length === 1) insert += '(';
    const pos = input.selectionStart;
    input.value = input.value.slice(0, pos) + insert + input.value.slice(pos);
    input.selectionStart = input.selectionEnd = pos + insert.length;
    out.textContent = hits.length === 1 ? '' : hits.length + ' matches: ' + hits.slice(0, 12).join(', ') + (hits.length > 12 ? ', …' : '');
    return insert.length > 0 || hits.length > 1;
  }
  if (input) {
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        if (input.value.trim() !== '') htmx.trigger(form, 'submit');
        return;
      }
      if (e.key === 'Tab' && !e.shiftKey) {
        if (complete()) e.preventDefault();
        return;
      }
      const hist = statements();
      const atTop = input.value.lastIndexOf('\n', input.selectionStart - 1) < 0;
      const atBottom = input.value.indexOf('\n', input.selectionEnd) < 0;
      if (e.key === 'ArrowUp' && atTop && hist.length) {
        e.preventDefault();
        if (historyIndex < 0) { draft = input.value; historyIndex = hist.length; }
        historyIndex = Math.max(0, historyIndex - 1);
        input.value = hist[historyIndex];
        autosize();
      } else if (e.key === 'ArrowDown' && atBottom && historyIndex >= 0) {
        e.preventDefault();
        historyIndex++;
        if (historyIndex >= hist.length) { historyIndex = -1; input.value = draft; } else { input.value = hist[historyIndex]; }
        autosize();
      }
    });
    input.addEventListener('input', () => { historyIndex = -1; autosize(); });
    form.addEventListener('htmx:afterRequest', (e) => {
      if (e.detail.successful && e.detail.elt === form) { input.value = ''; autosize(); $('completions').textContent = ''; }
    });
  }
  body.addEventListener('mdl-solution', (e) => {
    input.value = e.detail.text;
    autosize();
    input.focus();
  });

  // ------------------------------------------------------------------ the current step in view
  // When the prose column scrolls on its own (wide screens), bring the current step into view on
  // load (unless it is the first, so the introduction shows) and whenever a statement completes a step.
  let shownStep = null;
  function showCurrentStep(onLoad) {
    const prose = document.querySelector('.prose');
    const step = document.querySelector('#steps .step.current');
    if (!prose || !step || step.id === shownStep) return;
    const first = !step.previousElementSibling;
    shownStep = step.id;
    if (prose.scrollHeight <= prose.clientHeight || (onLoad && first)) return;
    const top = step.getBoundingClientRect().top - prose.getBoundingClientRect().top + prose.scrollTop;
    prose.scrollTop = Math.max(0, top - 16);
  }

  // A new hint takes the focus (screen readers read it) without scrolling the window: the hint opens
  // just above the button that asked for it. Only the prose column moves, and only if the hint is outside it.
  function revealHint(hint) {
    hint.focus({ preventScroll: true });
    const prose = document.querySelector('.prose');
    if (!prose || prose.scrollHeight <= prose.clientHeight) return;
    const box = prose.getBoundingClientRect();
    const r = hint.getBoundingClientRect();
    if (r.top < box.top) prose.scrollTop -= box.top - r.top + 16;
    else if (r.bottom > box.bottom) prose.scrollTop += r.bottom - box.bottom + 16;
  }

  // ------------------------------------------------------------------ after every swap
  let focusedId = null;
  let trigger = null;
  document.addEventListener('htmx:beforeRequest', (e) => { trigger = e.detail.elt; });
  document.addEventListener('htmx:beforeSwap', () => { focusedId = document.activeElement && document.activeElement.id; });
  document.addEventListener('htmx:afterSettle', () => {
    applyPatch();
    initGrid();
    const log = $('console-log');
    if (log) log.scrollTop = log.scrollHeight;
    const hl = document.querySelector('#history-list');
    const cur = hl && hl.querySelector('.h-current');
    if (cur) cur.scrollIntoView({ block: 'nearest' });
    showCurrentStep(false);
    const lost = !document.activeElement || document.activeElement === body;
    if (trigger && trigger.id && trigger.id.startsWith('hint-btn-')) {
      const hints = document.querySelectorAll('#steps .hint');
      if (hints.length) { revealHint(hints[hints.length - 1]); return; }
    }
    if (lost && focusedId && $(focusedId)) $(focusedId).focus();
  });

  initGrid();
  showCurrentStep(true);
  const log = $('console-log');
  if (log) log.scrollTop = log.scrollHeight;
})();
