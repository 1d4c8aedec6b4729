/**
 * The live status page: one self-contained HTML document (inline CSS and vanilla JS, no build
 * step, nothing fetched from elsewhere) showing the supervision tree — manager → collectors →
 * connectors → coins — with one colour per state, records/s, the age of each coin's last record,
 * restarts and alerts. It listens to /events (server-sent events) and falls back to polling
 * /health when the stream cannot be opened.
 *
 * Built for a glance at ~30 connectors and ~200 coins: collectors are cards (click the head to
 * collapse one), connectors are rows, coins are small chips in a grid. The DOM is updated in place,
 * keyed by actor id, so a tooltip under the pointer survives the 1 s refresh. Every actor element
 * carries `data-id` and `data-state` (what the browser test and any scraper read).
 */
import { COIN_STATE_CODES } from '../../machines/coin.js';
import { COLLECTOR_STATE_CODES } from '../../machines/collector.js';
import { CONNECTOR_STATE_CODES } from '../../machines/connector.js';

/** One colour per state name (a name shared by two machines, like Ready, means the same thing). */
export const STATE_COLOURS: Readonly<Record<string, string>> = {
  Managing: '#91a7ff',
  Running: '#40c057',
  Connected: '#8ce99a',
  Subscribed: '#c3fae8',
  Ready: '#dee2e6',
  Connecting: '#a5d8ff',
  SubscriptionRequesting: '#66d9e8',
  Requested: '#ffe066',
  Recovering: '#ffa94d',
  Failed: '#ff8787',
  Stopped: '#adb5bd',
};

// every state of every machine has its colour (checked by the tests too)
for (const state of [...Object.keys(COIN_STATE_CODES), ...Object.keys(CONNECTOR_STATE_CODES), ...Object.keys(COLLECTOR_STATE_CODES)]) {
  if (!STATE_COLOURS[state]) throw new Error(`status page: no colour for state ${state}`);
}

const CSS = `
:root { --bg: #f4f5f7; --fg: #1d232b; --muted: #667080; --card: #fff; --line: #e1e4e8; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
header { position: sticky; top: 0; z-index: 1; background: var(--card); border-bottom: 1px solid var(--line); padding: 8px 16px; display: flex; flex-wrap: wrap; gap: 6px 22px; align-items: center; }
h1 { font-size: 16px; margin: 0; letter-spacing: .02em; }
.figures { display: flex; flex-wrap: wrap; gap: 4px 18px; }
.fig { color: var(--muted); white-space: nowrap; }
.fig b { color: var(--fg); font-size: 15px; font-variant-numeric: tabular-nums; margin-right: 3px; }
.fig.bad b { color: #c92a2a; }
.badge { border-radius: 10px; padding: 1px 9px; font-weight: 700; font-size: 12px; }
.badge.healthy { background: #d3f9d8; color: #2b8a3e; } .badge.degraded { background: #fff3bf; color: #e67700; } .badge.down { background: #ffe3e3; color: #c92a2a; }
#reasons { padding: 6px 16px 0; color: #c92a2a; } #reasons:empty { display: none; }
#conn { color: var(--muted); font-size: 11px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 10px; font-size: 11px; color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 4px; }
.legend i { width: 11px; height: 11px; border-radius: 3px; background: var(--c); border: 1px solid rgba(0,0,0,.12); }
#manager { padding: 8px 16px 0; color: var(--muted); }
#error { padding: 8px 16px 0; color: #c92a2a; }
main { padding: 10px 16px 16px; display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 12px; align-items: start; }
.pill { background: var(--c); border-radius: 9px; padding: 0 8px; font-size: 11px; font-weight: 600; white-space: nowrap; border: 1px solid rgba(0,0,0,.1); }
.collector { background: var(--card); border: 1px solid var(--line); border-left: 6px solid var(--c); border-radius: 6px; overflow: hidden; }
.collector > .head { display: flex; flex-wrap: wrap; gap: 2px 12px; align-items: baseline; padding: 7px 10px; cursor: pointer; user-select: none; }
.collector > .head .name { font-weight: 700; font-size: 14px; }
.collector > .head .stat { color: var(--muted); font-size: 12px; white-space: nowrap; }
.collector > .head .stat b { color: var(--fg); font-variant-numeric: tabular-nums; }
.collector > .head .stat.audit.bad { color: #c92a2a; }
.collector > .fold { display: none; padding: 0 10px 7px; color: var(--muted); font-size: 12px; }
.collector.collapsed > .body { display: none; } .collector.collapsed > .fold { display: block; }
.connector { display: grid; grid-template-columns: 200px 1fr; gap: 8px; padding: 5px 10px; border-top: 1px solid var(--line); align-items: start; }
.connector .id { font-weight: 700; margin-right: 6px; }
.connector .meta { font-size: 11px; color: var(--muted); margin-top: 2px; font-variant-numeric: tabular-nums; }
.err { color: #c92a2a; font-size: 11px; overflow-wrap: anywhere; }
.coins { display: flex; flex-wrap: wrap; gap: 3px; }
.coin { background: var(--c); border-radius: 3px; padding: 0 4px; font-size: 11px; line-height: 18px; white-space: nowrap; border: 1px solid rgba(0,0,0,.08); font-variant-numeric: tabular-nums; }
.coin small { color: rgba(0,0,0,.55); margin-left: 3px; }
.coin.silent { outline: 2px solid #e03131; outline-offset: -1px; }
/* a coin collecting its order book shows the book's state as a bar on its left (Subscribed.Live …) */
.coin[data-detail$=".Syncing"] { box-shadow: inset 4px 0 0 #fab005; }
.coin[data-detail$=".Live"] { box-shadow: inset 4px 0 0 #2f9e44; }
.coin[data-detail$=".Resyncing"] { box-shadow: inset 4px 0 0 #e8590c; }
`;

// Plain ES2017 in the page; no template literals, so this file's own template string stays simple.
const SCRIPT = `
(function () {
  'use strict';
  var COLOURS = __COLOURS__;
  var nodes = new Map();
  var seen = new Set();
  var collapsed = new Set();
  var updates = 0;
  try { collapsed = new Set(JSON.parse(localStorage.getItem('tickvisor.collapsed') || '[]')); } catch (e) { /* private mode */ }

  function colour(state) { return COLOURS[state] || '#e9ecef'; }
  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function setText(e, text) { if (e.textContent !== text) e.textContent = text; }
  function keyed(parent, index, id, make) {
    var e = nodes.get(id);
    if (!e) { e = make(); e.dataset.id = id; nodes.set(id, e); }
    if (parent.children[index] !== e) parent.insertBefore(e, parent.children[index] || null);
    seen.add(id);
    return e;
  }
  function paint(e, node) {
    if (e.dataset.state !== node.state) { e.dataset.state = node.state; e.style.setProperty('--c', colour(node.state)); }
    if (e.dataset.detail !== node.detail) e.dataset.detail = node.detail;
  }
  function age(ms) {
    if (ms === undefined || ms === null || isNaN(ms)) return '\\u2014';
    if (ms < 0) ms = 0;
    if (ms < 10000) return (ms / 1000).toFixed(1) + 's';
    if (ms < 60000) return Math.round(ms / 1000) + 's';
    if (ms < 3600000) return Math.round(ms / 60000) + 'm';
    return Math.round(ms / 3600000) + 'h';
  }
  function num(n) { return n === undefined ? '\\u2014' : Math.round(n).toLocaleString('en'); }
  function c(node, key) { return node.counters[key] || 0; }
  function tail(id, skip) { return id.split(':').slice(skip).join(':'); }

  function legend() {
    var box = document.getElementById('legend');
    Object.keys(COLOURS).forEach(function (s) {
      var sw = h('span', '', s);
      var i = h('i');
      sw.style.setProperty('--c', COLOURS[s]);
      sw.insertBefore(i, sw.firstChild);
      box.appendChild(sw);
    });
  }

  function fig(id, value, bad) {
    var e = document.getElementById(id);
    setText(e.firstChild, value);
    e.classList.toggle('bad', !!bad);
  }

  function renderHeader(p, counts) {
    var s = p.summary;
    fig('f-rate', s ? num(s.recordsPerSecond) : '\\u2014');
    fig('f-stored', s ? num(s.committed) : '\\u2014');
    fig('f-collectors', counts.collectors[0] + '/' + counts.collectors[1], counts.collectors[0] < counts.collectors[1]);
    fig('f-connectors', counts.connectors[0] + '/' + counts.connectors[1], counts.connectors[0] < counts.connectors[1]);
    fig('f-coins', counts.coins[0] + '/' + counts.coins[1], counts.coins[0] < counts.coins[1]);
    fig('f-restarts', String(counts.restarts), counts.restarts > 0);
    // every alert kind the system raised, when the server knows them; else the Manager's own count
    var raised = s && s.alerts ? s.alerts.raised : c(p.tree, 'alerts');
    var storeFailing = !!(s && s.alerts && s.alerts.storeFailing);
    fig('f-alerts', String(raised) + (storeFailing ? ' \u00b7 store writes failing' : ''), raised > 0 || storeFailing);
    fig('f-silent', s ? String(s.silentCoins) : '\\u2014', s && s.silentCoins > 0);
    // the server's verdict, word for word: the page never judges health by itself
    var status = p.status === 'healthy' || p.status === 'degraded' || p.status === 'down' ? p.status : (p.healthy ? 'healthy' : 'down');
    var badge = document.getElementById('health');
    badge.className = 'badge ' + status;
    setText(badge, status);
    var reasons = (p.reasons || []).join(' \u00b7 ');
    badge.title = reasons;
    setText(document.getElementById('reasons'), reasons);
  }

  function count(tree) {
    var k = { collectors: [0, 0], connectors: [0, 0], coins: [0, 0], restarts: 0 };
    tree.children.forEach(function (col) {
      k.collectors[1]++; if (col.state === 'Running') k.collectors[0]++;
      k.restarts += c(col, 'restartAttempts');
      col.children.forEach(function (con) {
        k.connectors[1]++; if (con.state === 'Connected') k.connectors[0]++;
        k.restarts += c(con, 'restartAttempts');
        con.children.forEach(function (coin) { k.coins[1]++; if (coin.state === 'Subscribed') k.coins[0]++; });
      });
    });
    return k;
  }

  function makeCollector() {
    var e = h('section', 'collector');
    var head = h('div', 'head');
    ['name', 'pill', 'stat since', 'stat rate', 'stat stored', 'stat buffered', 'stat restarts', 'stat errors', 'stat audit', 'stat lease'].forEach(function (cls) { head.appendChild(h('span', cls)); });
    e.appendChild(head);
    e.appendChild(h('div', 'err'));
    e.appendChild(h('div', 'fold'));
    e.appendChild(h('div', 'body'));
    head.addEventListener('click', function () {
      var id = e.dataset.id;
      if (collapsed.has(id)) collapsed.delete(id); else collapsed.add(id);
      e.classList.toggle('collapsed', collapsed.has(id));
      try { localStorage.setItem('tickvisor.collapsed', JSON.stringify(Array.from(collapsed))); } catch (x) { /* ignore */ }
    });
    return e;
  }
  function stat(e, sel, label, value) {
    var s = e.querySelector(sel);
    if (!s.firstChild) { s.appendChild(h('b')); s.appendChild(document.createTextNode('')); }
    setText(s.firstChild, value);
    setText(s.lastChild, ' ' + label);
  }

  // The REST audit (venues without dense trade ids): how much was checked against the exchange's
  // own history and what it found. Empty for venues that are not audited.
  function auditText(a) {
    if (!a) return '';
    return 'audited ' + num(a.windows) + ' windows \u00b7 ' + num(a.missing) + ' found missing, ' + num(a.filled) + ' filled' +
      (a.unfilled ? ' \u00b7 ' + num(a.unfilled) + ' unfilled' : '') + (a.failures ? ' \u00b7 ' + num(a.failures) + ' failed' : '');
  }

  function makeConnector() {
    var e = h('div', 'connector');
    var left = h('div');
    left.appendChild(h('span', 'id'));
    left.appendChild(h('span', 'pill'));
    left.appendChild(h('div', 'meta since'));
    left.appendChild(h('div', 'meta counts'));
    left.appendChild(h('div', 'err'));
    e.appendChild(left);
    e.appendChild(h('div', 'coins'));
    return e;
  }

  function makeCoin() {
    var e = h('span', 'coin');
    e.appendChild(document.createTextNode(''));
    e.appendChild(h('small'));
    return e;
  }

  function render(p) {
    var err = document.getElementById('error');
    if (!p || !p.tree) { setText(err, (p && p.error) || 'no state available'); return; }
    setText(err, '');
    seen = new Set();
    var s = p.summary;
    // the server's counts (the same figures the status line prints); the tree's only without them
    var sc = p.summary && p.summary.counts;
    var counts = sc
      ? { collectors: [sc.collectors.running, sc.collectors.total], connectors: [sc.connectors.connected, sc.connectors.total], coins: [sc.coins.subscribed, sc.coins.total], restarts: sc.restarts }
      : count(p.tree);
    renderHeader(p, counts);
    var mgr = document.getElementById('manager');
    paint(mgr, p.tree);
    setText(mgr, 'manager: ' + p.tree.detail + ' for ' + age(p.at - p.tree.since) + ' \\u00b7 ' + counts.collectors[1] + ' collectors \\u00b7 alerts ' + c(p.tree, 'alerts'));
    var main = document.getElementById('tree');
    p.tree.children.forEach(function (col, ci) {
      var ce = keyed(main, ci, col.id, makeCollector);
      paint(ce, col);
      ce.classList.toggle('collapsed', collapsed.has(col.id));
      var f = (s && s.collectors[col.id]) || {};
      setText(ce.querySelector('.name'), tail(col.id, 1).replace(':', ' \\u00b7 '));
      setText(ce.querySelector(':scope > .head > .pill'), col.detail);
      setText(ce.querySelector(':scope > .head > .since'), 'for ' + age(p.at - col.since));
      stat(ce, '.rate', 'rec/s', num(f.recordsPerSecond));
      stat(ce, '.stored', 'stored', num(f.committed));
      stat(ce, '.buffered', f.pressure ? 'buffered (pressure!)' : 'buffered', num(f.buffered));
      stat(ce, '.restarts', 'restarts', String(c(col, 'restartAttempts')));
      stat(ce, '.errors', 'errors', String(c(col, 'errors')));
      var au = s && s.audits ? s.audits[col.id] : undefined;
      var auditEl = ce.querySelector(':scope > .head > .audit');
      setText(auditEl, auditText(au));
      auditEl.classList.toggle('bad', !!au && (au.unfilled > 0 || au.filled < au.missing));
      // cluster mode: whether this node holds the collector's lease (a collector runs only then)
      var le = s && s.leases ? s.leases[col.id] : undefined;
      setText(ce.querySelector(':scope > .head > .lease'), le ? (le.held ? 'lease held' + (le.slot !== undefined ? ' (slot ' + le.slot + ')' : '') : 'lease: ' + le.state + ' (another node collects)') : '');
      setText(ce.querySelector(':scope > .err'), col.lastError || '');
      var subscribed = 0, total = 0, connected = 0;
      var body = ce.querySelector('.body');
      col.children.forEach(function (con, ni) {
        var ne = keyed(body, ni, con.id, makeConnector);
        paint(ne, con);
        if (con.state === 'Connected') connected++;
        setText(ne.querySelector('.id'), '#' + tail(con.id, 3));
        setText(ne.querySelector('.pill'), con.detail);
        setText(ne.querySelector('.since'), 'for ' + age(p.at - con.since) + ' \\u00b7 restarts ' + c(con, 'restartAttempts'));
        setText(ne.querySelector('.counts'),
          'conn ' + c(con, 'connectionSuccesses') + '/' + c(con, 'connectionAttempts') +
          ' \\u00b7 sub ' + c(con, 'subscriptionSuccesses') + '/' + c(con, 'subscriptionAttempts') +
          ' \\u00b7 recov ' + c(con, 'recoverySuccesses') + '/' + c(con, 'recoveryAttempts'));
        setText(ne.querySelector('.err'), con.lastError || '');
        var grid = ne.querySelector('.coins');
        con.children.forEach(function (coin, ki) {
          total++; if (coin.state === 'Subscribed') subscribed++;
          var ke = keyed(grid, ki, coin.id, makeCoin);
          paint(ke, coin);
          var cf = s && s.coins[coin.id];
          var ageMs = cf && cf.lastAt !== undefined ? p.at - cf.lastAt : undefined;
          var symbol = tail(coin.id, 3);
          setText(ke.firstChild, symbol);
          setText(ke.lastChild, age(ageMs));
          ke.classList.toggle('silent', !!s && coin.state === 'Subscribed' && (ageMs === undefined ? p.at - coin.since : ageMs) >= s.silentAfterMs);
          ke.title = symbol + '\\n' + coin.detail + ' for ' + age(p.at - coin.since) +
            '\\nlast record ' + (ageMs === undefined ? 'never' : age(ageMs) + ' ago') +
            (cf && cf.meanIntervalMs !== undefined ? '\\nmean interval ' + Math.round(cf.meanIntervalMs) + ' ms' : '') +
            '\\nrecords ' + num(cf ? cf.records : 0) +
            '\\nsubscribe requests ' + c(coin, 'subscribeRequests') + ', failures ' + c(coin, 'subscribeFailures') +
            (cf && cf.audit ? '\\n' + auditText(cf.audit) + (cf.audit.auditedUntil !== undefined ? ', up to ' + age(p.at - cf.audit.auditedUntil) + ' ago' : '') : '');
        });
      });
      setText(ce.querySelector('.fold'), connected + '/' + col.children.length + ' connectors connected \\u00b7 ' + subscribed + '/' + total + ' coins subscribed');
    });
    nodes.forEach(function (e, id) { if (!seen.has(id)) { e.remove(); nodes.delete(id); } });
    document.body.dataset.updates = String(++updates);
    document.body.dataset.at = String(p.at);
  }

  function connection(text) { setText(document.getElementById('conn'), text); }

  function poll() {
    connection('polling /health');
    fetch('health', { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(render, function () { connection('server unreachable; retrying'); })
      .then(function () { setTimeout(poll, 2000); });
  }

  function listen() {
    if (!window.EventSource) { poll(); return; }
    var es = new EventSource('events');
    var opened = false;
    es.addEventListener('status', function (ev) { opened = true; connection('live'); render(JSON.parse(ev.data)); });
    es.addEventListener('failure', function (ev) { opened = true; render(JSON.parse(ev.data)); });
    es.onerror = function () {
      if (!opened) { es.close(); poll(); } else connection('reconnecting\\u2026');
    };
  }

  legend();
  listen();
})();
`;

const BODY = `
<header>
  <h1>tickvisor</h1>
  <span id="health" class="badge">…</span>
  <div class="figures">
    <span class="fig" id="f-rate"><b>—</b>rec/s</span>
    <span class="fig" id="f-stored"><b>—</b>stored</span>
    <span class="fig" id="f-collectors"><b>—</b>collectors running</span>
    <span class="fig" id="f-connectors"><b>—</b>connectors connected</span>
    <span class="fig" id="f-coins"><b>—</b>coins subscribed</span>
    <span class="fig" id="f-restarts"><b>—</b>restarts</span>
    <span class="fig" id="f-alerts"><b>—</b>alerts</span>
    <span class="fig" id="f-silent"><b>—</b>silent coins</span>
  </div>
  <div class="legend" id="legend"></div>
  <span id="conn">connecting…</span>
</header>
<div id="reasons"></div>
<div id="manager"></div>
<div id="error"></div>
<main id="tree"></main>
`;

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tickvisor status</title>
<style>${CSS}</style>
</head>
<body>${BODY}
<script>${SCRIPT.replace('__COLOURS__', JSON.stringify(STATE_COLOURS))}</script>
</body>
</html>
`;
