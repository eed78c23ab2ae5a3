/**
 * The page's inline style sheet and script (no network: everything the page
 * needs is in the file). Text colours keep a WCAG contrast of at least 4.5:1 on
 * their backgrounds (checked in the browser test).
 */

/** The inline style sheet. */
export const PAGE_CSS = `
:root { --permit: #116329; --related: #0550ae; --deny: #b3261e; --event: #6f42c1; --dim: #57606a; --sel: #fff1b8; --line: #d0d7de; --warn: #7d4e00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #ffffff; }
header, main { padding: 0 20px; }
h1 { font-size: 22px; margin: 16px 0 6px; }
h2 { font-size: 18px; margin: 24px 0 4px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12px; }
.legend span { margin-right: 14px; }
.k-p { color: var(--permit); } .k-r { color: var(--related); } .k-d { color: var(--deny); } .k-e { color: var(--event); }
.dim { color: var(--dim); }
.verdict.works { color: var(--permit); font-weight: 600; } .verdict.fails { color: var(--deny); font-weight: 600; }
.window { border-left: 3px solid var(--warn); padding-left: 0.5em; color: var(--warn); }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 2px 6px; text-align: left; vertical-align: top; }
.matrix a { font-weight: 600; }
.matrix a.good { color: var(--permit); } .matrix a.bad { color: var(--deny); }
.matrix .good { color: var(--permit); } .matrix .bad, .notes-list .bad { color: var(--deny); font-weight: 600; } .matrix .warn, .notes-list .warn { color: var(--warn); font-weight: 600; } .matrix .dim { color: var(--dim); }
.flows-box { max-height: 190px; overflow: auto; contain: content; display: inline-block; max-width: 100%; }
.run { border-top: 2px solid var(--line); padding-bottom: 12px; }
.controls { display: flex; gap: 8px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
button { font: inherit; padding: 3px 10px; border: 1px solid #8c959f; border-radius: 4px; background: #f6f8fa; color: #1f2328; cursor: pointer; }
button:focus-visible, .ladder:focus-visible, a:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.grid { display: grid; grid-template-columns: minmax(480px, 920px) minmax(360px, 1fr); gap: 12px; align-items: start; }
.ladder { contain: content; max-height: 560px; overflow: auto; border: 1px solid var(--line); background: #ffffff; }
.ladder svg { display: block; }
.ladder text { font: 11px ui-monospace, "DejaVu Sans Mono", Menlo, monospace; fill: #1f2328; }
.ladder .lane { stroke: #8c959f; stroke-width: 1; }
.ladder .fw { fill: #f6f8fa; stroke: #8c959f; }
.ladder .st { cursor: pointer; }
.ladder .st rect { fill: transparent; }
.ladder .st.sel rect { fill: var(--sel); }
.ladder .st line { stroke-width: 2; }
.ladder .v-p line { stroke: var(--permit); } .ladder .v-p .lab { fill: var(--permit); }
.ladder .v-r line { stroke: var(--related); } .ladder .v-r .lab { fill: var(--related); }
.ladder .v-d line { stroke: var(--deny); } .ladder .v-d .lab, .ladder .v-d .x { fill: var(--deny); font-weight: 700; }
.ladder .v-e line { stroke: var(--event); stroke-dasharray: 4 3; } .ladder .v-e .lab { fill: var(--event); }
.ladder .num { fill: var(--dim); }
.ladder .head { font-weight: 700; }
.panel { border: 1px solid var(--line); padding: 8px 12px; min-height: 200px; contain: content; }
.panel .narr { font-size: 15px; margin: 4px 0 8px; }
.panel .note { background: #ddf4ff; border-left: 4px solid #0969da; padding: 6px 8px; margin: 6px 0; }
.panel pre { margin: 4px 0; white-space: pre-wrap; }
.panel .by.v-d { color: var(--deny); font-weight: 600; } .panel .by.v-p { color: var(--permit); } .panel .by.v-r { color: var(--related); }
.panel table { width: 100%; font-size: 12px; }
.panel tr.new td { background: var(--sel); }
.cfg { position: relative; margin: 0; padding: 0; list-style: none; max-height: 260px; overflow: auto; border: 1px solid var(--line); }
.cfg li { white-space: pre; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12px; padding: 0 6px; }
.cfg li .ln { display: inline-block; width: 3.5em; color: var(--dim); text-align: right; margin-right: 8px; }
.cfg li.hit { background: var(--sel); font-weight: 700; }
.cfg li.hit.v-d { box-shadow: inset 4px 0 0 var(--deny); } .cfg li.hit.v-p, .cfg li.hit.v-r { box-shadow: inset 4px 0 0 var(--permit); }
.prose { max-width: 60em; }
`;

/** The inline script: draws each run's ladder from the embedded data and steps through it. */
export const PAGE_JS = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ftpwall-data').textContent);
  var ROW = 24, TOP = 64, W = 900, LABEL_X = 580, MARGIN = 60, MAX_ROWS = 12, FW_L = 300, FW_R = 380;
  var NS = 'http://www.w3.org/2000/svg';
  var VERDICT = { p: 'permitted', r: 'permitted by a pinhole', d: 'denied', e: 'event' };
  var active = null;
  var views = [];

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; });
  }
  function laneX(run, i) {
    var lane = run.lanes[i];
    var same = run.lanes.filter(function (l) { return l.side === lane.side; });
    var k = same.indexOf(lane);
    if (lane.side === 0) return same.length === 1 ? 150 : 60 + (k * 180) / (same.length - 1);
    return same.length === 1 ? 530 : 450 + (k * 130) / (same.length - 1);
  }
  function secs(ms) { return (ms / 1000).toFixed(3); }

  function rowHtml(run, i, selected) {
    var s = run.steps[i];
    var y = TOP + i * ROW;
    var x1 = s.v === 'e' ? FW_L - 40 : laneX(run, s.from), x2 = s.v === 'e' ? FW_R + 40 : laneX(run, s.to);
    var dir = x2 >= x1 ? 1 : -1;
    var end = s.v === 'd' ? (FW_L + FW_R) / 2 : x2 - dir * 6;
    var out = '<g class="st v-' + s.v + (selected ? ' sel' : '') + '" data-i="' + i + '" id="' + run.id + '-s' + i + '">';
    out += '<rect x="0" y="' + (y - ROW / 2) + '" width="' + W + '" height="' + ROW + '"/>';
    out += '<text class="num" x="4" y="' + (y + 4) + '">' + (s.n ? s.n : '·') + '</text>';
    out += '<line x1="' + x1 + '" y1="' + y + '" x2="' + end + '" y2="' + y + '"/>';
    if (s.v !== 'd') out += '<path d="M' + x2 + ' ' + y + ' l' + (-dir * 8) + ' -4 l0 8 z" style="fill: var(--' + (s.v === 'r' ? 'related' : s.v === 'e' ? 'event' : 'permit') + ')"/>';
    else out += '<text class="x" x="' + (end - 5) + '" y="' + (y + 5) + '">✗</text>';
    var lab = s.label.length > 48 ? s.label.slice(0, 47) + '…' : s.label;
    out += '<text class="lab" x="' + LABEL_X + '" y="' + (y + 4) + '">' + esc(lab) + (s.v === 'd' ? ' ✗ ' + esc(s.by || '') : '') + '</text>';
    return out + '</g>';
  }

  // Only the rows near the visible part of the ladder are in the DOM, so a
  // 10,000-packet run loads and steps as fast as a short one.
  function renderRows(view, force) {
    var run = view.run, box = view.ladder;
    var top = Math.max(0, Math.floor((box.scrollTop - TOP) / ROW));
    var bottom = Math.min(run.steps.length - 1, Math.ceil((box.scrollTop + box.clientHeight) / ROW));
    if (!force && view.first >= 0 && top >= view.first && bottom <= view.last) return;
    var first = Math.max(0, top - MARGIN);
    var last = Math.min(run.steps.length - 1, bottom + MARGIN);
    view.first = first;
    view.last = last;
    var out = [];
    for (var i = first; i <= last; i++) out.push(rowHtml(run, i, i === view.i));
    view.rows.innerHTML = out.join('');
  }

  function drawLadder(view) {
    var run = view.run, box = view.ladder;
    var h = TOP + run.steps.length * ROW + 12;
    var out = [];
    out.push('<svg xmlns="' + NS + '" width="' + W + '" height="' + h + '" viewBox="0 0 ' + W + ' ' + h + '" role="img" aria-labelledby="' + run.id + '-t ' + run.id + '-d">');
    var denied = run.steps.filter(function (s) { return s.v === 'd'; }).length;
    out.push('<title id="' + run.id + '-t">Ladder diagram of ' + esc(run.title) + '</title>');
    out.push('<desc id="' + run.id + '-d">' + esc(run.steps.length + ' steps between ' + run.lanes.map(function (l) { return l.role + ' ' + l.host; }).join(', ') + ' across the firewall; ' + denied + ' denied. ' + run.summary) + '</desc>');
    out.push('<rect class="fw" x="' + FW_L + '" y="' + (TOP - 10) + '" width="' + (FW_R - FW_L) + '" height="' + (h - TOP) + '"/>');
    out.push('<text class="head" x="' + (FW_L + 8) + '" y="18">firewall</text>');
    out.push('<text x="' + (FW_L - 4) + '" y="52" text-anchor="end">' + esc(run.ifaces[0]) + '</text>');
    out.push('<text x="' + (FW_R + 4) + '" y="52">' + esc(run.ifaces[1]) + '</text>');
    run.lanes.forEach(function (l, i) {
      var x = laneX(run, i);
      out.push('<line class="lane" x1="' + x + '" y1="' + (TOP - 10) + '" x2="' + x + '" y2="' + h + '"/>');
      out.push('<text class="head" x="' + x + '" y="18" text-anchor="middle">' + esc(l.role) + '</text>');
      out.push('<text x="' + x + '" y="34" text-anchor="middle">' + esc(l.host) + '</text>');
    });
    out.push('<text class="head" x="4" y="18">#</text><text class="head" x="' + LABEL_X + '" y="18">packet</text>');
    out.push('<g class="rows"></g></svg>');
    box.innerHTML = out.join('');
    view.rows = box.querySelector('g.rows');
    box.addEventListener('scroll', function () { renderRows(view, false); });
  }

  /** The tables at snapshot s: the nearest whole snapshot at or before it, then the changes up to s. */
  function tablesAt(run, s) {
    if (s < 0) return [[], []];
    var k = s;
    while (run.snaps[k].length !== 2) k--;
    var conns = new Map(), exps = new Map();
    run.snaps[k][0].forEach(function (i) { conns.set(run.conns[i][0], i); });
    run.snaps[k][1].forEach(function (i) { exps.set(run.exps[i][0], i); });
    for (var j = k + 1; j <= s; j++) {
      var d = run.snaps[j];
      d[0].forEach(function (i) { conns.set(run.conns[i][0], i); });
      d[1].forEach(function (id) { conns.delete(id); });
      d[2].forEach(function (i) { exps.set(run.exps[i][0], i); });
      d[3].forEach(function (id) { exps.delete(id); });
    }
    var byId = function (m) { return Array.from(m.keys()).sort(function (a, b) { return a - b; }).map(function (id) { return m.get(id); }); };
    return [byId(conns), byId(exps)];
  }

  function table(head, rows) {
    if (rows.length === 0) return '<p class="dim">(empty)</p>';
    return '<table><thead><tr>' + head.map(function (x) { return '<th scope="col">' + esc(x) + '</th>'; }).join('') + '</tr></thead><tbody>' + rows.join('') + '</tbody></table>';
  }

  function show(view, i) {
    var run = view.run;
    if (i < 0 || i >= run.steps.length) return;
    var old = document.getElementById(run.id + '-s' + view.i);
    if (old) old.classList.remove('sel');
    view.i = i;
    var box = view.ladder;
    var y = TOP + i * ROW;
    if (y - ROW < box.scrollTop || y + ROW > box.scrollTop + box.clientHeight) box.scrollTop = Math.max(0, y - box.clientHeight / 2);
    renderRows(view, false);
    var g = document.getElementById(run.id + '-s' + i);
    if (g) g.classList.add('sel');
    var s = run.steps[i];
    var p = view.panel;
    p.querySelector('.pos').textContent = 'Step ' + (i + 1) + ' of ' + run.steps.length + (s.n ? ' · packet ' + s.n + (s.last ? '–' + s.last : '') : '') + ' · ' + VERDICT[s.v];
    p.querySelector('.narr').textContent = s.narration;
    var notes = p.querySelector('.notes');
    notes.innerHTML = s.notes.map(function (n) { return '<p class="note">' + esc(n) + '</p>'; }).join('');
    p.querySelector('.hdr').textContent = s.headers.join('\n');
    p.querySelector('.ftp').textContent = s.text !== undefined ? s.text : '(no FTP text)';
    var by = p.querySelector('.by');
    by.textContent = s.by ? (s.v === 'd' ? 'denied by ' : 'permitted by ') + s.by : '—';
    by.className = 'by v-' + s.v;
    p.querySelector('.events').innerHTML = s.events.length ? s.events.map(function (e) { return '<li>' + esc(e) + '</li>'; }).join('') : '<li class="dim">none</li>';
    if (run.tables) {
      var snap = tablesAt(run, s.snap);
      var now = s.tMs;
      // the packet's own connection first (highlighted), then the others, at most MAX_ROWS in all
      var mine = [], others = [];
      snap[0].forEach(function (k) { (s.ends && run.conns[k][1].indexOf(s.ends[0]) >= 0 && run.conns[k][1].indexOf(s.ends[1]) >= 0 ? mine : others).push(k); });
      var shownConns = mine.concat(others.slice(0, Math.max(0, MAX_ROWS - mine.length)));
      var conns = shownConns.map(function (k) {
        var c = run.conns[k];
        return '<tr' + (mine.indexOf(k) >= 0 ? ' class="new"' : '') + '><td>' + c[0] + '</td><td class="mono">' + esc(c[1]) + '</td><td>' + esc(c[2]) + '</td><td>' + (c[3] ? 'yes' : 'no') + '</td><td>' + Math.max(0, Math.round((c[4] - now) / 1000)) + ' s</td><td>' + esc(c[5] || '—') + (c[6] ? ' (related)' : '') + '</td></tr>';
      });
      if (snap[0].length > shownConns.length) conns.push('<tr><td colspan="6">… ' + (snap[0].length - shownConns.length) + ' more connections</td></tr>');
      var exps = snap[1].map(function (k) {
        var e = run.exps[k];
        return '<tr' + (e[3] === s.n ? ' class="new"' : '') + '><td>' + e[0] + '</td><td class="mono">' + esc(e[1]) + '</td><td>' + esc(e[2]) + ' in packet ' + e[3] + '</td><td>' + e[4] + '</td><td>' + Math.max(0, Math.round((e[5] - now) / 1000)) + ' s</td></tr>';
      });
      p.querySelector('.ct').innerHTML = table(['id', 'connection', 'state', 'assured', 'expires in', 'helper'], conns);
      p.querySelector('.ex').innerHTML = table(['id', 'pinhole', 'opened by', 'master', 'expires in'], exps);
    }
    if (view.hit) view.hit.classList.remove('hit', 'v-d', 'v-p', 'v-r');
    view.hit = null;
    if (s.line) {
      var li = document.getElementById(run.id + '-L' + s.line);
      if (li) {
        li.classList.add('hit', 'v-' + s.v);
        view.hit = li;
        var cfg = view.cfg;
        if (li.offsetTop < cfg.scrollTop || li.offsetTop + li.offsetHeight > cfg.scrollTop + cfg.clientHeight) cfg.scrollTop = Math.max(0, li.offsetTop - cfg.clientHeight / 2);
      }
    }
    view.rule.textContent = s.line ? 'Line ' + s.line + ' decided: ' + (s.by || '') : s.by ? 'No config line: ' + s.by : '';
  }

  function setup(run) {
    var sec = document.getElementById(run.id);
    var view = { run: run, i: 0, first: -1, last: -1, rows: null, hit: null, ladder: sec.querySelector('.ladder'), panel: sec.querySelector('.panel'), cfg: sec.querySelector('.cfg'), rule: sec.querySelector('.rule') };
    drawLadder(view);
    renderRows(view, true);
    view.ladder.addEventListener('click', function (ev) {
      var g = ev.target.closest && ev.target.closest('.st');
      if (g) { active = view; show(view, Number(g.getAttribute('data-i'))); }
    });
    sec.addEventListener('focusin', function () { active = view; });
    sec.querySelector('[data-act=prev]').addEventListener('click', function () { active = view; show(view, view.i - 1); });
    sec.querySelector('[data-act=next]').addEventListener('click', function () { active = view; show(view, view.i + 1); });
    var start = 0;
    if (sec.getAttribute('data-start') === 'blocked') {
      for (var i = 0; i < run.steps.length; i++) if (run.steps[i].v === 'd') { start = i; break; }
    }
    show(view, start);
    views.push(view);
    return view;
  }

  data.runs.forEach(setup);
  active = views[0] || null;
  function fromHash() {
    var id = location.hash.slice(1);
    views.forEach(function (v) { if (v.run.id === id) active = v; });
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
  document.addEventListener('keydown', function (ev) {
    if (!active || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var t = ev.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
    var n = active.run.steps.length;
    var to = ev.key === 'ArrowRight' ? active.i + 1 : ev.key === 'ArrowLeft' ? active.i - 1 : ev.key === 'Home' ? 0 : ev.key === 'End' ? n - 1 : -2;
    if (to === -2) return;
    ev.preventDefault();
    show(active, Math.max(0, Math.min(n - 1, to)));
  });
  window.ftpwall = { views: views, show: function (run, i) { var v = views[run]; active = v; show(v, i); } };
})();
`;
