/**
 * The dashboard's browser code, served inline (no build step, no CDN) and allowed by its hash in the page's
 * Content-Security-Policy. Every value from the API reaches the page through textContent, attribute setters or
 * SVG attributes built with createElementNS — never innerHTML — so a lead named `<img onerror=…>` stays text.
 * The function key the page was opened with (`?code=`) goes to the API in the x-functions-key header.
 *
 * Kept as plain ES2020 in a string because the project compiles for Node without DOM types; the browser test
 * (tests/browser/dashboard.test.ts) exercises it in Chromium. It must contain no backtick and no dollar-brace.
 */
export const DASHBOARD_SCRIPT = `
'use strict';
(function () {
  var key = new URLSearchParams(location.search).get('code') || '';
  var STATUS_ACTIONS = [['contacted', 'Mark contacted'], ['qualified', 'Mark qualified'], ['disqualified', 'Mark disqualified']];
  var STAGE_LABELS = { interest: 'Interest', trial: 'Trial', active: 'Active', doNotContact: 'Do not contact' };
  var HOUR = 3600000;
  var state = { filters: {}, continuation: null, selectedId: null, rows: new Map() };

  function $(id) { return document.getElementById(id); }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (name) {
        var value = props[name];
        if (value === undefined || value === null || value === false) return;
        if (name === 'text') node.textContent = String(value);
        else if (name === 'className') node.className = value;
        else if (name.slice(0, 2) === 'on') node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? '' : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function say(text, isError) {
    var box = $('message');
    box.textContent = text;
    box.className = isError ? 'message error' : 'message';
    box.setAttribute('role', isError ? 'alert' : 'status');
  }

  function ApiError(status, body) {
    this.status = status;
    this.message = (body && body.message) || ('The server answered ' + status);
  }

  async function api(method, path, query, body) {
    var url = new URL(path, location.href);
    Object.keys(query || {}).forEach(function (name) {
      var value = query[name];
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
    });
    var headers = { accept: 'application/json' };
    if (key) headers['x-functions-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    var res = await fetch(url, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  function when(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }

  function hours(ms) {
    var h = ms / HOUR;
    return h < 48 ? Math.round(h) + ' h' : Math.round(h / 24) + ' d';
  }

  function fmtHours(value) { return value === null || value === undefined ? '–' : (Math.round(value * 10) / 10) + ' h'; }
  function fmtShare(value) { return value === null || value === undefined ? '–' : Math.round(value * 100) + ' %'; }

  function personName(lead) {
    if (lead.flags && lead.flags.indexOf('erased') >= 0) return '(erased)';
    var name = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
    return name || lead.email || '(no name)';
  }

  function offerName(lead) { return lead.offerTitle || lead.offerKey; }

  /* ---- stats ---- */

  function figure(label, value) {
    return el('li', null, [el('span', { className: 'value', text: value }), el('span', { className: 'label', text: label })]);
  }

  function renderFigures(overall) {
    var list = $('figures');
    clear(list);
    var speed = overall.speedToLead;
    list.appendChild(figure('Leads (excluding test leads)', String(overall.total)));
    list.appendChild(figure('New, not yet contacted', String(overall.byStatus.new)));
    list.appendChild(figure('Contacted within 24 h', fmtShare(speed.within24h.share) + ' (' + speed.within24h.contacted + ' of ' + speed.within24h.eligible + ')'));
    list.appendChild(figure('Median time to first contact', fmtHours(speed.medianHours)));
    list.appendChild(figure('90th percentile time to first contact', fmtHours(speed.p90Hours)));
  }

  function renderChart(perDay) {
    var box = $('chart');
    clear(box);
    var width = 600, height = 160, top = 16, bottom = 22, gap = 2;
    var max = perDay.reduce(function (m, d) { return Math.max(m, d.count); }, 0);
    var total = perDay.reduce(function (s, d) { return s + d.count; }, 0);
    var busiest = perDay.reduce(function (b, d) { return d.count > b.count ? d : b; }, { date: '', count: -1 });
    var chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', class: 'chart', 'aria-labelledby': 'chart-title chart-desc' });
    chart.appendChild(svg('title', { id: 'chart-title' }, 'Leads per day, last 30 days (UTC)'));
    chart.appendChild(svg('desc', { id: 'chart-desc' }, total + ' leads in 30 days' + (max > 0 ? '; busiest day ' + busiest.date + ' with ' + busiest.count : '')));
    var barWidth = width / perDay.length;
    perDay.forEach(function (day, i) {
      var h = max === 0 ? 0 : Math.round((day.count / max) * (height - top - bottom));
      var bar = svg('rect', { x: i * barWidth + gap / 2, y: height - bottom - h, width: barWidth - gap, height: Math.max(h, day.count > 0 ? 1 : 0) });
      bar.appendChild(svg('title', {}, day.date + ': ' + day.count + (day.count === 1 ? ' lead' : ' leads')));
      chart.appendChild(bar);
    });
    if (perDay.length > 0) {
      chart.appendChild(svg('text', { x: 0, y: height - 6 }, perDay[0].date));
      chart.appendChild(svg('text', { x: width, y: height - 6, 'text-anchor': 'end' }, perDay[perDay.length - 1].date));
    }
    chart.appendChild(svg('text', { x: 0, y: 11 }, 'max ' + max + ' per day'));
    box.appendChild(chart);
  }

  function funnelRow(cells) {
    return el('tr', null, cells.map(function (cell, i) {
      return i === 0 ? el('th', { scope: 'row', text: cell }) : el('td', { className: 'num', text: cell });
    }));
  }

  function funnelCells(label, g) {
    var s = g.speedToLead;
    return [label, String(g.total), String(g.byStage.interest), String(g.byStage.trial), String(g.byStage.active), String(g.byStage.doNotContact),
      String(g.byStatus.new), String(g.byStatus.contacted), String(g.byStatus.qualified), String(g.byStatus.disqualified),
      fmtHours(s.medianHours), fmtHours(s.p90Hours), fmtShare(s.within24h.share)];
  }

  function renderFunnel(stats) {
    var body = $('funnel-body');
    var foot = $('funnel-foot');
    clear(body);
    clear(foot);
    stats.offers.forEach(function (offer) { body.appendChild(funnelRow(funnelCells(offer.offerTitle || offer.offerKey, offer))); });
    if (stats.offers.length === 0) body.appendChild(el('tr', null, [el('td', { colspan: 13, text: 'No leads yet.' })]));
    foot.appendChild(funnelRow(funnelCells('All offers', stats.overall)));
  }

  function fillOfferChoices(stats) {
    var select = $('f-offer');
    var current = select.value;
    while (select.options.length > 1) select.remove(1);
    stats.offers.forEach(function (offer) {
      select.appendChild(el('option', { value: offer.offerKey, text: (offer.offerTitle || offer.offerKey) + ' (' + offer.total + ')' }));
    });
    select.value = current;
  }

  async function loadStats() {
    var stats = await api('GET', 'stats');
    renderFigures(stats.overall);
    renderChart(stats.overall.perDay);
    renderFunnel(stats);
    fillOfferChoices(stats);
  }

  /* ---- lead table ---- */

  function readFilters() {
    var f = {};
    ['q', 'status', 'stage', 'source', 'offer', 'since', 'until'].forEach(function (name) {
      var value = $('f-' + name).value.trim();
      if (value) f[name] = value;
    });
    if ($('f-includeTest').checked) f.includeTest = 'true';
    return f;
  }

  function exportHref(filters) {
    var url = new URL('leads/export.csv', location.href);
    Object.keys(filters).forEach(function (name) { url.searchParams.set(name, filters[name]); });
    // A download is a navigation: it cannot send a header, so the key goes in the query as for the page itself.
    if (key) url.searchParams.set('code', key);
    return url.pathname + url.search;
  }

  function waitingCell(lead) {
    var seen = Date.parse(lead.firstSeenAt);
    if (lead.status === 'new' && !lead.doNotContact) {
      var waited = Date.now() - seen;
      var late = waited > 24 * HOUR;
      return el('td', { className: late ? 'num late' : 'num', text: hours(waited) + (late ? ' – overdue' : '') });
    }
    if (lead.firstContactedAt) return el('td', { className: 'num', text: 'answered in ' + hours(Date.parse(lead.firstContactedAt) - seen) });
    return el('td', { className: 'num', text: '–' });
  }

  function leadRow(lead) {
    var open = el('button', { type: 'button', className: 'row-link', text: personName(lead), 'aria-controls': 'detail', onclick: function () { openLead(lead.leadId); } });
    var row = el('tr', { 'data-id': lead.leadId }, [
      el('td', null, [open]),
      el('td', { text: lead.company || '' }),
      el('td', { text: lead.email || '' }),
      el('td', { text: offerName(lead) }),
      el('td', { text: STAGE_LABELS[lead.stage] || lead.stage }),
      el('td', { text: lead.status }),
      el('td', { text: when(lead.firstSeenAt) }),
      waitingCell(lead),
    ]);
    if (lead.leadId === state.selectedId) row.className = 'selected';
    return row;
  }

  async function loadLeads(append) {
    var body = $('lead-body');
    if (!append) {
      clear(body);
      state.rows.clear();
      state.continuation = null;
    }
    var added = 0;
    // A page can come back short (the server bounds how much it scans per request); follow a few to fill the view.
    for (var round = 0; round < 10; round++) {
      var query = Object.assign({ limit: 50 }, state.filters);
      if (state.continuation) query.continuation = state.continuation;
      var page = await api('GET', 'leads', query);
      page.items.forEach(function (lead) {
        var row = leadRow(lead);
        state.rows.set(lead.leadId, row);
        body.appendChild(row);
      });
      added += page.items.length;
      state.continuation = page.continuation;
      if (!state.continuation || added >= 50) break;
    }
    $('more').hidden = !state.continuation;
    if (state.rows.size === 0) body.appendChild(el('tr', null, [el('td', { colspan: 8, text: 'No leads match these filters.' })]));
    say(state.rows.size + (state.rows.size === 1 ? ' lead shown' : ' leads shown') + (state.continuation ? '; more available' : ''));
  }

  /* ---- detail panel ---- */

  function fact(list, label, value, href) {
    if (value === undefined || value === null || value === '') return;
    list.appendChild(el('dt', { text: label }));
    list.appendChild(el('dd', null, [href ? el('a', { href: href, text: value }) : String(value)]));
  }

  function describe(event) {
    if (event.kind === 'arrival') return 'Lead received: ' + event.action + ' from ' + event.source + (event.offerTitle ? ' for ' + event.offerTitle : '') + ' (stage ' + (STAGE_LABELS[event.stage] || event.stage) + ')';
    if (event.kind === 'status') {
      var marked = 'Marked ' + event.status + (event.by ? ' by ' + event.by : '') + ' via ' + event.via + (event.note ? ': ' + event.note : '');
      return event.applied === false ? marked + ' (no effect: the lead was no longer ' + event.onlyIf + ')' : marked;
    }
    if (event.kind === 'reminder') return (event.reminder === 'escalate' ? 'Escalation' : 'Reminder') + ' sent to ' + event.recipients.length + (event.recipients.length === 1 ? ' recipient' : ' recipients');
    return event.kind;
  }

  function renderDetail(detail) {
    var lead = detail.lead;
    var panel = $('detail');
    $('detail-title').textContent = personName(lead);
    var facts = $('detail-facts');
    clear(facts);
    fact(facts, 'Title', lead.title);
    fact(facts, 'Company', lead.company);
    fact(facts, 'Email', lead.email, mailtoHref(lead.email));
    fact(facts, 'Phone', lead.phone, lead.phoneE164 ? 'tel:' + lead.phoneE164 : null);
    fact(facts, 'Country', lead.country);
    fact(facts, 'Offer', offerName(lead));
    fact(facts, 'Stage', STAGE_LABELS[lead.stage] || lead.stage);
    fact(facts, 'Status', lead.status + (lead.statusBy ? ' (by ' + lead.statusBy + ')' : ''));
    fact(facts, 'First seen', when(lead.firstSeenAt));
    fact(facts, 'Last seen', when(lead.lastSeenAt));
    fact(facts, 'First contacted', when(lead.firstContactedAt));
    fact(facts, 'Sources', (lead.sources || []).join(', '));
    fact(facts, 'Flags', (lead.flags || []).join(', '));
    var actions = $('detail-actions');
    clear(actions);
    STATUS_ACTIONS.forEach(function (pair) {
      actions.appendChild(el('button', { type: 'button', text: pair[1], disabled: lead.status === pair[0], onclick: function () { setStatus(lead.leadId, pair[0]); } }));
    });
    var history = $('detail-history');
    clear(history);
    detail.history.forEach(function (event) {
      history.appendChild(el('li', null, [el('time', { datetime: event.at, text: when(event.at) }), describe(event)]));
    });
    panel.hidden = false;
    $('split').className = 'split open';
  }

  async function openLead(id) {
    state.selectedId = id;
    state.rows.forEach(function (row, rowId) { row.className = rowId === id ? 'selected' : ''; });
    try {
      renderDetail(await api('GET', 'leads/' + encodeURIComponent(id)));
      $('detail-title').focus();
    } catch (e) {
      say('Could not open the lead: ' + e.message, true);
    }
  }

  function closeDetail() {
    $('detail').hidden = true;
    $('split').className = 'split';
    var row = state.selectedId && state.rows.get(state.selectedId);
    state.selectedId = null;
    state.rows.forEach(function (r) { r.className = ''; });
    if (row) row.querySelector('button').focus();
  }

  // The address is the customer's own text: link it only when it is plainly one address, with each side encoded,
  // so "a@b.com?bcc=someone@else" can never pre-fill a message.
  function mailtoHref(email) {
    var m = /^([^\\s@?&#,;<>"]+)@([^\\s@?&#,;<>"/]+\\.[^\\s@?&#,;<>"/]+)$/.exec(email || "");
    return m ? 'mailto:' + encodeURIComponent(m[1]) + '@' + encodeURIComponent(m[2]) : null;
  }

  async function setStatus(id, status) {
    var body = { status: status, via: 'dashboard' };
    var note = $('detail-note').value.trim();
    var by = $('detail-by').value.trim();
    if (note) body.note = note;
    if (by) body.by = by;
    try {
      localStorage.setItem('leads.by', by);
    } catch (e) { /* storage may be disabled; the name is a convenience */ }
    try {
      var record = await api('PATCH', 'leads/' + encodeURIComponent(id), undefined, body);
      $('detail-note').value = '';
      var old = state.rows.get(id);
      if (old) {
        var row = leadRow(record);
        old.replaceWith(row);
        state.rows.set(id, row);
      }
      renderDetail(await api('GET', 'leads/' + encodeURIComponent(id)));
      say('Lead marked ' + status + '.');
      $('detail-title').focus();
      loadStats().catch(function () { /* figures refresh on the next load */ });
    } catch (e) {
      say('Could not change the status: ' + e.message, true);
    }
  }

  /* ---- wiring ---- */

  async function apply() {
    state.filters = readFilters();
    $('export').setAttribute('href', exportHref(state.filters));
    say('Loading leads…');
    try {
      await loadLeads(false);
    } catch (e) {
      say('Could not load leads: ' + e.message, true);
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    try { $('detail-by').value = localStorage.getItem('leads.by') || ''; } catch (e) { /* see setStatus */ }
    $('filters').addEventListener('submit', function (event) { event.preventDefault(); apply(); });
    $('reset').addEventListener('click', function () { $('filters').reset(); apply(); });
    $('more').addEventListener('click', function () {
      loadLeads(true).catch(function (e) { say('Could not load more leads: ' + e.message, true); });
    });
    $('detail-close').addEventListener('click', closeDetail);
    $('detail').addEventListener('keydown', function (event) { if (event.key === 'Escape') closeDetail(); });
    loadStats().catch(function (e) { say('Could not load the figures: ' + e.message, true); });
    apply();
  });
})();
`;
