/**
 * The dashboard's browser code. Compiled on its own (tsconfig.browser.json: DOM types, no Node) and inlined in the
 * page as its one module script, allowed by its hash in the Content-Security-Policy (../page.ts). Every value
 * from the API reaches the page through textContent, attribute setters or SVG attributes built with
 * createElementNS — never innerHTML — so a lead named `<img onerror=…>` stays text. The function key the page was
 * opened with (`?code=`) goes to the API in the x-functions-key header. What the server owns (stage labels, the
 * statuses sales can set) comes in the page's JSON data block, not as a copy here.
 */

import type {
  GroupStats,
  HistoryEvent,
  Lead,
  LeadDetail,
  LeadFlow,
  LeadPage,
  PageData,
  PipelineStats,
  QualificationGroup,
} from './apiTypes';

/* ---- the page's elements ---- */

function byId<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const node = document.getElementById(id);
  if (!(node instanceof kind)) throw new Error(`The page has no ${kind.name} #${id}`);
  return node;
}

// A module script runs once the document is parsed, so every element is there.
const ui = {
  message: byId('message', HTMLParagraphElement),
  figures: byId('figures', HTMLUListElement),
  leadFlow: byId('lead-flow', HTMLParagraphElement),
  chart: byId('chart', HTMLDivElement),
  funnelBody: byId('funnel-body', HTMLTableSectionElement),
  funnelFoot: byId('funnel-foot', HTMLTableSectionElement),
  filters: byId('filters', HTMLFormElement),
  query: byId('f-q', HTMLInputElement),
  status: byId('f-status', HTMLSelectElement),
  stage: byId('f-stage', HTMLSelectElement),
  offer: byId('f-offer', HTMLSelectElement),
  source: byId('f-source', HTMLSelectElement),
  since: byId('f-since', HTMLInputElement),
  until: byId('f-until', HTMLInputElement),
  includeTest: byId('f-includeTest', HTMLInputElement),
  me: byId('f-me', HTMLInputElement),
  mine: byId('f-mine', HTMLInputElement),
  order: byId('f-order', HTMLSelectElement),
  stalledOnly: byId('f-stalled', HTMLInputElement),
  // Not id="reset": a form control with that id would shadow the form's own reset().
  reset: byId('filters-reset', HTMLButtonElement),
  exportLink: byId('export', HTMLAnchorElement),
  split: byId('split', HTMLDivElement),
  leadBody: byId('lead-body', HTMLTableSectionElement),
  more: byId('more', HTMLButtonElement),
  detail: byId('detail', HTMLElement),
  detailTitle: byId('detail-title', HTMLHeadingElement),
  detailClose: byId('detail-close', HTMLButtonElement),
  detailFacts: byId('detail-facts', HTMLDListElement),
  detailBy: byId('detail-by', HTMLInputElement),
  detailNote: byId('detail-note', HTMLTextAreaElement),
  detailActions: byId('detail-actions', HTMLDivElement),
  detailHistory: byId('detail-history', HTMLOListElement),
  detailOwner: byId('detail-owner', HTMLInputElement),
  detailReassign: byId('detail-reassign', HTMLButtonElement),
  qualify: byId('qualify', HTMLFieldSetElement),
  qualifyCriteria: byId('qualify-criteria', HTMLDivElement),
  qualifyConfirm: byId('qualify-confirm', HTMLButtonElement),
  qualifyCancel: byId('qualify-cancel', HTMLButtonElement),
  disqualify: byId('disqualify', HTMLFieldSetElement),
  disqualifyReason: byId('disqualify-reason', HTMLSelectElement),
  disqualifyConfirm: byId('disqualify-confirm', HTMLButtonElement),
  disqualifyCancel: byId('disqualify-cancel', HTMLButtonElement),
  detailAttempts: byId('detail-attempts', HTMLOListElement),
  attemptChannel: byId('attempt-channel', HTMLSelectElement),
  attemptOutcome: byId('attempt-outcome', HTMLSelectElement),
  attemptLog: byId('attempt-log', HTMLButtonElement),
};

const pageData = JSON.parse(byId('page-data', HTMLScriptElement).text) as PageData;
const key = new URLSearchParams(location.search).get('code') ?? '';
const HOUR = 3_600_000;

const state: {
  filters: Record<string, string>;
  continuation: string | null;
  selectedId: string | null;
  rows: Map<string, HTMLTableRowElement>;
  /** Every lead loaded so far, in the API's order (newest first): the table shows them ordered and filtered. */
  leads: Lead[];
} = { filters: {}, continuation: null, selectedId: null, rows: new Map(), leads: [] };

/* ---- building DOM from data ---- */

interface Props {
  text?: string;
  className?: string;
  /** Set with setAttribute, so a value is text, never markup; `true` sets an empty attribute, false or undefined none. */
  attrs?: Record<string, string | number | boolean | undefined>;
  onClick?: () => void;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.text !== undefined) node.textContent = props.text;
  if (props.className !== undefined) node.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  if (props.onClick) node.addEventListener('click', props.onClick);
  node.append(...children);
  return node;
}

function svg(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A value that may be very long (names, offer titles): cut to one line by CSS, in full on hover. */
function clipped(text: string): HTMLSpanElement {
  return el('span', { className: 'clip', text, attrs: { title: text } });
}

function say(text: string, isError = false): void {
  ui.message.textContent = text;
  ui.message.className = isError ? 'message error' : 'message';
  ui.message.setAttribute('role', isError ? 'alert' : 'status');
}

/* ---- talking to the API ---- */

class ApiError extends Error {
  constructor(
    readonly status: number,
    body: unknown,
  ) {
    const message =
      typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
        ? body.message
        : `The server answered ${status}`;
    super(message);
  }
}

async function api<T>(
  method: 'GET' | 'PATCH' | 'POST',
  path: string,
  query: Record<string, string | number> = {},
  body?: object,
): Promise<T> {
  const url = new URL(path, location.href);
  for (const [name, value] of Object.entries(query)) if (value !== '') url.searchParams.set(name, String(value));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers['x-functions-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data as T;
}

function problemText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/* ---- words and numbers ---- */

function when(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function hours(ms: number): string {
  const h = ms / HOUR;
  return h < 48 ? `${Math.round(h)} h` : `${Math.round(h / 24)} d`;
}

function fmtHours(value: number | null): string {
  return value === null ? '–' : `${Math.round(value * 10) / 10} h`;
}

function fmtShare(value: number | null): string {
  return value === null ? '–' : `${Math.round(value * 100)} %`;
}

const stageLabels = new Map(pageData.stages.map((s) => [s.value, s.label]));

function stageLabel(stage: string): string {
  return stageLabels.get(stage) ?? stage;
}

function personName(lead: Lead): string {
  if (lead.flags?.includes('erased')) return '(erased)';
  const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
  return name || lead.email || '(no name)';
}

function offerName(lead: { offerTitle?: string; offerKey: string }): string {
  return lead.offerTitle || lead.offerKey;
}

// The address is the customer's own text: link it only when it is plainly one address, with each side encoded,
// so "a@b.com?bcc=someone@else" can never pre-fill a message.
function mailtoHref(email: string | undefined): string | undefined {
  const m = /^([^\s@?&#,;<>"]+)@([^\s@?&#,;<>"/]+\.[^\s@?&#,;<>"/]+)$/.exec(email ?? '');
  return m?.[1] && m[2] ? `mailto:${encodeURIComponent(m[1])}@${encodeURIComponent(m[2])}` : undefined;
}

function describe(event: HistoryEvent): string {
  switch (event.kind) {
    case 'arrival':
      return (
        `Lead received: ${event.action} from ${event.source}` +
        (event.offerTitle ? ` for ${event.offerTitle}` : '') +
        ` (stage ${stageLabel(event.stage)})`
      );
    case 'status': {
      const marked =
        `Marked ${event.status}` +
        (event.by ? ` by ${event.by}` : '') +
        ` via ${event.via}` +
        (event.note ? `: ${event.note}` : '');
      return event.applied ? marked : `${marked} (no effect: the lead was no longer ${event.onlyIf ?? 'new'})`;
    }
    case 'owner':
      return (
        `Owner: ${event.owner}` +
        (event.via === 'api' || event.via === 'dashboard'
          ? event.by
            ? ` (reassigned by ${event.by})`
            : ' (reassigned)'
          : ` (assigned by ${event.via})`) +
        (event.note ? `: ${event.note}` : '')
      );
    case 'reminder': {
      const count = event.recipients.length;
      const what =
        event.reminder === 'escalate'
          ? 'Escalation'
          : event.reminder === 'nurture'
            ? `Reminder of touch ${event.step ?? '?'}`
            : 'Reminder';
      return `${what} sent to ${count} ${count === 1 ? 'recipient' : 'recipients'}`;
    }
    case 'attempt':
      return event.amends
        ? `Attempt completed: ${event.channel}, ${event.outcome}`
        : `Contact attempt: ${event.channel}, ${event.outcome}` + (event.by ? ` by ${event.by}` : '');
    case 'cadenceRestart':
      return 'Follow-up cadence restarted' + (event.by ? ` by ${event.by}` : '');
    default:
      // An event kind newer than this page: name it rather than hide it.
      return (event as { kind: string }).kind;
  }
}

/* ---- stats ---- */

function figure(label: string, value: string): HTMLLIElement {
  return el('li', {}, [
    el('span', { className: 'value', text: value }),
    el('span', { className: 'label', text: label }),
  ]);
}

function renderFigures(overall: GroupStats, qualification?: QualificationGroup): void {
  const speed = overall.speedToLead;
  const within = speed.within24h;
  ui.figures.replaceChildren(
    figure('Leads (excluding test leads)', String(overall.total)),
    figure('New, not yet contacted', String(overall.byStatus.new ?? 0)),
    figure('Contacted within 24 h', `${fmtShare(within.share)} (${within.contacted} of ${within.eligible})`),
    figure('Median time to first contact', fmtHours(speed.medianHours)),
    figure('90th percentile time to first contact', fmtHours(speed.p90Hours)),
  );
  if (qualification !== undefined) {
    const q = qualification;
    ui.figures.append(
      figure('Qualified of decided', `${fmtShare(q.qualificationRate)} (${q.qualified} of ${q.decided})`),
      figure('Top disqualify reason', q.reasons[0] ? `${q.reasons[0].reason} (${q.reasons[0].count})` : '–'),
    );
  }
}

function renderChart(perDay: GroupStats['perDay']): void {
  const width = 600;
  const height = 160;
  const top = 16;
  const bottom = 22;
  const gap = 2;
  const max = perDay.reduce((m, d) => Math.max(m, d.count), 0);
  const total = perDay.reduce((s, d) => s + d.count, 0);
  const busiest = perDay.reduce((b, d) => (d.count > b.count ? d : b), { date: '', count: -1 });
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    class: 'chart',
    'aria-labelledby': 'chart-title chart-desc',
  });
  chart.append(
    svg('title', { id: 'chart-title' }, 'Leads per day, last 30 days (UTC)'),
    svg(
      'desc',
      { id: 'chart-desc' },
      `${total} leads in 30 days` + (max > 0 ? `; busiest day ${busiest.date} with ${busiest.count}` : ''),
    ),
  );
  const barWidth = width / perDay.length;
  perDay.forEach((day, i) => {
    const h = max === 0 ? 0 : Math.round((day.count / max) * (height - top - bottom));
    const bar = svg('rect', {
      x: i * barWidth + gap / 2,
      y: height - bottom - h,
      width: barWidth - gap,
      height: Math.max(h, day.count > 0 ? 1 : 0),
    });
    bar.append(svg('title', {}, `${day.date}: ${day.count} ${day.count === 1 ? 'lead' : 'leads'}`));
    chart.append(bar);
  });
  const first = perDay[0];
  const last = perDay[perDay.length - 1];
  if (first && last) {
    chart.append(
      svg('text', { x: 0, y: height - 6 }, first.date),
      svg('text', { x: width, y: height - 6, 'text-anchor': 'end' }, last.date),
    );
  }
  chart.append(svg('text', { x: 0, y: 11 }, `max ${max} per day`));
  ui.chart.replaceChildren(chart);
}

// Offer, total, one per stage, one per status, then median, 90th percentile and share within 24 h.
const FUNNEL_COLUMNS = 2 + pageData.stages.length + pageData.statuses.length + 3;

function funnelRow(label: string, g: GroupStats): HTMLTableRowElement {
  const s = g.speedToLead;
  const counts = [
    g.total,
    ...pageData.stages.map((stage) => g.byStage[stage.value] ?? 0),
    ...pageData.statuses.map((status) => g.byStatus[status] ?? 0),
  ];
  const cells = [...counts.map(String), fmtHours(s.medianHours), fmtHours(s.p90Hours), fmtShare(s.within24h.share)];
  return el('tr', {}, [
    el('th', { attrs: { scope: 'row' } }, [clipped(label)]),
    ...cells.map((text) => el('td', { className: 'num', text })),
  ]);
}

function renderFunnel(stats: PipelineStats): void {
  ui.funnelBody.replaceChildren(...stats.offers.map((offer) => funnelRow(offerName(offer), offer)));
  if (stats.offers.length === 0)
    ui.funnelBody.append(el('tr', {}, [el('td', { text: 'No leads yet.', attrs: { colspan: FUNNEL_COLUMNS } })]));
  ui.funnelFoot.replaceChildren(funnelRow('All offers', stats.overall));
}

function fillOfferChoices(stats: PipelineStats): void {
  const current = ui.offer.value;
  while (ui.offer.options.length > 1) ui.offer.remove(1);
  for (const offer of stats.offers) {
    const text = `${offerName(offer)} (${offer.total})`;
    ui.offer.append(el('option', { text, attrs: { value: offer.offerKey, title: text } }));
  }
  ui.offer.value = current;
}

/** Health answers 503 while something is down, and still says how leads flow: read the body either way. */
async function loadLeadFlow(): Promise<void> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers['x-functions-key'] = key;
  const res = await fetch(new URL('health', location.href), { headers });
  const body = (await res.json().catch(() => null)) as { leadFlow?: LeadFlow } | null;
  const flow = body?.leadFlow;
  if (!flow) return;
  const count = (n: number | null): string => (n === null ? 'unknown' : String(n));
  const parts = [
    `Last real lead: ${when(flow.lastRealLeadAt ?? undefined) || 'none yet'}`,
    `last test lead: ${when(flow.lastTestLeadAt ?? undefined) || 'none yet'}`,
    `poison queue: ${count(flow.poisonQueueDepth)}`,
    `rejected: ${count(flow.rejectedLeads)}`,
  ];
  if (flow.silence.alarmActive) parts.push(`no real lead since ${when(flow.silence.silentSince ?? undefined)}`);
  ui.leadFlow.textContent = parts.join(' · ');
}

async function loadStats(): Promise<void> {
  const stats = await api<PipelineStats>('GET', 'stats');
  renderFigures(stats.overall, stats.qualification?.overall);
  renderChart(stats.overall.perDay);
  renderFunnel(stats);
  fillOfferChoices(stats);
}

/* ---- lead table ---- */

function readFilters(): Record<string, string> {
  const f: Record<string, string> = {};
  const fields = {
    q: ui.query,
    status: ui.status,
    stage: ui.stage,
    source: ui.source,
    offer: ui.offer,
    since: ui.since,
    until: ui.until,
  };
  for (const [name, field] of Object.entries(fields)) {
    const value = field.value.trim();
    if (value) f[name] = value;
  }
  if (ui.includeTest.checked) f.includeTest = 'true';
  const me = ui.me.value.trim();
  if (ui.mine.checked && me) f.owner = me;
  remember('leads.me', me);
  return f;
}

function exportHref(filters: Record<string, string>): string {
  const url = new URL('leads/export.csv', location.href);
  for (const [name, value] of Object.entries(filters)) url.searchParams.set(name, value);
  // A download is a navigation: it cannot send a header, so the key goes in the query as for the page itself.
  if (key) url.searchParams.set('code', key);
  return url.pathname + url.search;
}

function waitingCell(lead: Lead): HTMLTableCellElement {
  const seen = Date.parse(lead.firstSeenAt);
  if (lead.status === 'new' && !lead.doNotContact) {
    const waited = Date.now() - seen;
    const late = waited > 24 * HOUR;
    return el('td', { className: late ? 'num late' : 'num', text: hours(waited) + (late ? ' – overdue' : '') });
  }
  if (lead.firstContactedAt)
    return el('td', { className: 'num', text: `answered in ${hours(Date.parse(lead.firstContactedAt) - seen)}` });
  return el('td', { className: 'num', text: '–' });
}

function leadRow(lead: Lead): HTMLTableRowElement {
  const name = personName(lead);
  const open = el('button', {
    className: 'row-link clip',
    text: name,
    attrs: { type: 'button', title: name, 'aria-controls': 'detail' },
    onClick: () => void openLead(lead.leadId),
  });
  // Badges under the name: a stalled lead waits for a decision; a trial's time left says how urgent it is.
  const badges = [
    ...(lead.stalled ? [el('span', { className: 'badge', text: 'stalled' })] : []),
    ...(lead.trial ? [el('span', { className: 'badge trial', text: lead.trial.label })] : []),
  ];
  const row = el('tr', { attrs: { 'data-id': lead.leadId } }, [
    el('td', {}, [open, ...badges]),
    el('td', {}, [clipped(lead.company ?? '')]),
    el('td', {}, [clipped(lead.email ?? '')]),
    el('td', {}, [clipped(offerName(lead))]),
    el('td', { text: stageLabel(lead.stage) }),
    el('td', { text: lead.status }),
    el('td', { text: when(lead.firstSeenAt) }),
    waitingCell(lead),
  ]);
  if (lead.leadId === state.selectedId) row.className = 'selected';
  return row;
}

/** Running trials ending soonest first, then ended ones (most recently ended first), then leads without one. */
function trialRank(lead: Lead): [number, number] {
  if (!lead.trial) return [2, 0];
  return lead.trial.leftMs > 0 ? [0, lead.trial.leftMs] : [1, -lead.trial.leftMs];
}

/**
 * The loaded leads as the table shows them: "stalled only" and the trial order apply to what is loaded (the API
 * lists newest first), so "Load more leads" may add matches.
 */
function renderRows(): void {
  let leads = ui.stalledOnly.checked ? state.leads.filter((l) => l.stalled) : [...state.leads];
  if (ui.order.value === 'trial') {
    leads = leads.sort((a, b) => {
      const [ra, ka] = trialRank(a);
      const [rb, kb] = trialRank(b);
      return ra - rb || ka - kb;
    });
  }
  state.rows.clear();
  ui.leadBody.replaceChildren(
    ...leads.map((lead) => {
      const row = leadRow(lead);
      state.rows.set(lead.leadId, row);
      return row;
    }),
  );
  if (leads.length === 0)
    ui.leadBody.append(el('tr', {}, [el('td', { text: 'No leads match these filters.', attrs: { colspan: 8 } })]));
  const shown = leads.length;
  say(`${shown} ${shown === 1 ? 'lead shown' : 'leads shown'}${state.continuation ? '; more available' : ''}`);
}

// Counts list loads that start over: an answer to an older one (filters changed while it was on its way) is dropped.
let listGeneration = 0;

async function loadLeads(append: boolean): Promise<void> {
  if (!append) {
    listGeneration++;
    state.leads = [];
    state.continuation = null;
  }
  const generation = listGeneration;
  let added = 0;
  // A page can come back short (the server bounds how much it scans per request); follow a few to fill the view.
  for (let round = 0; round < 10; round++) {
    const query: Record<string, string | number> = { limit: 50, ...state.filters };
    if (state.continuation) query.continuation = state.continuation;
    const page = await api<LeadPage>('GET', 'leads', query);
    if (generation !== listGeneration) return;
    state.leads.push(...page.items);
    added += page.items.length;
    state.continuation = page.continuation ?? null;
    if (!state.continuation || added >= 50) break;
  }
  ui.more.hidden = !state.continuation;
  renderRows();
}

/* ---- detail panel ---- */

function fact(label: string, value: string | undefined, href?: string): void {
  if (value === undefined || value === '') return;
  ui.detailFacts.append(
    el('dt', { text: label }),
    el('dd', {}, [href ? el('a', { text: value, attrs: { href } }) : value]),
  );
}

function accountText(account: LeadDetail['account']): string | undefined {
  if (account === undefined) return undefined;
  const offers = [...new Set(account.people.map((p) => p.offerTitle ?? p.offerKey))];
  const people = `${account.peopleCount} ${account.peopleCount === 1 ? 'person' : 'people'}`;
  return `${account.label} (${people}; ${offers.join(', ')})`;
}

const ANSWERS = ['unknown', 'yes', 'no'];

function openQualify(): void {
  ui.disqualify.hidden = true;
  ui.qualifyCriteria.replaceChildren(
    ...pageData.criteria.map((c) =>
      el('div', { className: 'field' }, [
        el('label', { text: c.label, attrs: { for: `q-${c.key}`, title: c.description } }),
        el(
          'select',
          { attrs: { id: `q-${c.key}`, 'data-key': c.key } },
          ANSWERS.map((a) => el('option', { text: a, attrs: { value: a } })),
        ),
      ]),
    ),
  );
  ui.qualify.hidden = false;
}

function openDisqualify(): void {
  ui.qualify.hidden = true;
  ui.disqualifyReason.replaceChildren(
    ...pageData.disqualifyReasons.map((r) => el('option', { text: r, attrs: { value: r } })),
  );
  ui.disqualify.hidden = false;
}

function qualifyAnswers(): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const select of ui.qualifyCriteria.querySelectorAll('select')) {
    const k = select.getAttribute('data-key');
    if (k) answers[k] = select.value;
  }
  return answers;
}

function statusButton(lead: Lead, status: string): HTMLButtonElement {
  const decide = status === 'qualified' ? openQualify : status === 'disqualified' ? openDisqualify : undefined;
  return el('button', {
    text: decide ? `Mark ${status}…` : `Mark ${status}`,
    attrs: { type: 'button', disabled: lead.status === status },
    onClick: decide ?? (() => void setStatus(lead.leadId, status)),
  });
}

function renderDetail({ lead, history, account, attempts, nurture }: LeadDetail): void {
  ui.qualify.hidden = true;
  ui.disqualify.hidden = true;
  ui.detailTitle.textContent = personName(lead);
  ui.detailFacts.replaceChildren();
  fact('Title', lead.title);
  fact('Company', lead.company);
  fact('Email', lead.email, mailtoHref(lead.email));
  fact('Phone', lead.phone, lead.phoneE164 ? `tel:${lead.phoneE164}` : undefined);
  fact('Country', lead.country);
  fact('Offer', offerName(lead));
  fact('Stage', stageLabel(lead.stage));
  fact('Status', lead.status + (lead.statusBy ? ` (by ${lead.statusBy})` : ''));
  fact('Owner', lead.owner);
  fact('Account', accountText(account));
  ui.detailOwner.value = lead.owner ?? '';
  fact('First seen', when(lead.firstSeenAt));
  fact('Last seen', when(lead.lastSeenAt));
  fact('First contacted', when(lead.firstContactedAt));
  fact('Attempts', lead.attemptCount ? String(lead.attemptCount) : undefined);
  fact('Trial', nurture.trial?.label);
  fact('Follow-up', nurture.stalled ? 'stalled: qualify, disqualify or restart' : undefined);
  fact(
    'Qualification',
    lead.qualification
      ? pageData.criteria.map((c) => `${c.label}: ${lead.qualification?.[c.key]?.answer ?? 'unknown'}`).join(', ')
      : undefined,
  );
  fact('Disqualified because', lead.disqualifyReason);
  fact('Sources', (lead.sources ?? []).join(', '));
  fact('Flags', (lead.flags ?? []).join(', '));
  ui.detailActions.replaceChildren(
    ...pageData.statusActions.map((status) => statusButton(lead, status)),
    ...(lead.status === 'contacted'
      ? [
          el('button', {
            text: 'Restart cadence',
            className: 'secondary',
            attrs: { type: 'button' },
            onClick: () => void restartCadence(lead.leadId),
          }),
        ]
      : []),
  );
  ui.detailAttempts.replaceChildren(
    ...attempts.map((a) =>
      el('li', {}, [
        el('time', { text: when(a.at), attrs: { datetime: a.at } }),
        `${a.channel}, ${a.outcome}` + (a.by ? ` by ${a.by}` : '') + (a.note ? `: ${a.note}` : ''),
      ]),
    ),
  );
  ui.detailHistory.replaceChildren(
    ...history.map((event) =>
      el('li', {}, [el('time', { text: when(event.at), attrs: { datetime: event.at } }), describe(event)]),
    ),
  );
  ui.detail.hidden = false;
  ui.split.className = 'split open';
}

async function openLead(id: string): Promise<void> {
  state.selectedId = id;
  state.rows.forEach((row, rowId) => (row.className = rowId === id ? 'selected' : ''));
  try {
    renderDetail(await api<LeadDetail>('GET', `leads/${encodeURIComponent(id)}`));
    ui.detailTitle.focus();
  } catch (e) {
    say(`Could not open the lead: ${problemText(e)}`, true);
  }
}

function closeDetail(): void {
  ui.detail.hidden = true;
  ui.split.className = 'split';
  const row = state.selectedId === null ? undefined : state.rows.get(state.selectedId);
  state.selectedId = null;
  state.rows.forEach((r) => (r.className = ''));
  row?.querySelector('button')?.focus();
}

/** The note and name fields, as every change from the panel sends them; the note is cleared once sent. */
function noteAndBy(): { note?: string; by?: string } {
  const note = ui.detailNote.value.trim();
  const by = ui.detailBy.value.trim();
  rememberName(by);
  return { ...(note ? { note } : {}), ...(by ? { by } : {}) };
}

/** After a change: the row and the panel show the lead as the API has it now. */
async function refreshLead(id: string, record: Lead, done: string): Promise<void> {
  ui.detailNote.value = '';
  const old = state.rows.get(id);
  const index = state.leads.findIndex((l) => l.leadId === id);
  // The change ends a stall; the trial does not change with it.
  const shown = { ...record, stalled: false, trial: state.leads[index]?.trial };
  if (index >= 0) state.leads[index] = shown;
  if (old) {
    const row = leadRow(shown);
    old.replaceWith(row);
    state.rows.set(id, row);
  }
  renderDetail(await api<LeadDetail>('GET', `leads/${encodeURIComponent(id)}`));
  say(done);
  ui.detailTitle.focus();
  // The figures refresh on the next load if this fails; the change itself succeeded.
  loadStats().catch(() => undefined);
}

async function setStatus(id: string, status: string, decision: object = {}): Promise<void> {
  const body = { status, via: 'dashboard', ...noteAndBy(), ...decision };
  try {
    const record = await api<Lead>('PATCH', `leads/${encodeURIComponent(id)}`, {}, body);
    await refreshLead(id, record, `Lead marked ${status}.`);
  } catch (e) {
    say(`Could not change the status: ${problemText(e)}`, true);
  }
}

async function logAttempt(id: string): Promise<void> {
  const body = {
    channel: ui.attemptChannel.value,
    outcome: ui.attemptOutcome.value,
    via: 'dashboard',
    ...noteAndBy(),
  };
  try {
    const answer = await api<{ lead: Lead }>('POST', `leads/${encodeURIComponent(id)}/attempts`, {}, body);
    await refreshLead(id, answer.lead, 'Attempt logged.');
  } catch (e) {
    say(`Could not log the attempt: ${problemText(e)}`, true);
  }
}

async function restartCadence(id: string): Promise<void> {
  try {
    const record = await api<Lead>(
      'POST',
      `leads/${encodeURIComponent(id)}/cadence/restart`,
      {},
      {
        via: 'dashboard',
        ...noteAndBy(),
      },
    );
    await refreshLead(id, record, 'Follow-up cadence restarted.');
  } catch (e) {
    say(`Could not restart the cadence: ${problemText(e)}`, true);
  }
}

// The name is a convenience: a browser with storage disabled throws here, and the page works without it.
function rememberName(by: string): void {
  try {
    localStorage.setItem('leads.by', by);
  } catch {
    return;
  }
}

function remember(name: string, value: string): void {
  try {
    localStorage.setItem(name, value);
  } catch {
    return;
  }
}

function remembered(name: string): string {
  try {
    return localStorage.getItem(name) ?? '';
  } catch {
    return '';
  }
}

async function reassign(id: string): Promise<void> {
  const body: { owner: string; via: 'dashboard'; note?: string; by?: string } = {
    owner: ui.detailOwner.value.trim(),
    via: 'dashboard',
  };
  const note = ui.detailNote.value.trim();
  const by = ui.detailBy.value.trim();
  if (note) body.note = note;
  if (by) body.by = by;
  rememberName(by);
  try {
    await api<Lead>('PATCH', `leads/${encodeURIComponent(id)}`, {}, body);
    ui.detailNote.value = '';
    renderDetail(await api<LeadDetail>('GET', `leads/${encodeURIComponent(id)}`));
    say('Lead reassigned.');
    ui.detailTitle.focus();
  } catch (e) {
    say(`Could not reassign the lead: ${problemText(e)}`, true);
  }
}

function rememberedName(): string {
  try {
    return localStorage.getItem('leads.by') ?? '';
  } catch {
    return '';
  }
}

/* ---- wiring ---- */

async function apply(): Promise<void> {
  state.filters = readFilters();
  ui.exportLink.setAttribute('href', exportHref(state.filters));
  say('Loading leads…');
  try {
    await loadLeads(false);
  } catch (e) {
    say(`Could not load leads: ${problemText(e)}`, true);
  }
}

ui.detailBy.value = rememberedName();
ui.me.value = remembered('leads.me');
ui.detailReassign.addEventListener('click', () => {
  if (state.selectedId !== null) void reassign(state.selectedId);
});
ui.filters.addEventListener('submit', (event) => {
  event.preventDefault();
  void apply();
});
ui.reset.addEventListener('click', () => {
  ui.filters.reset();
  // The address is who I am, not a filter: it stays.
  ui.me.value = remembered('leads.me');
  void apply();
});
ui.more.addEventListener('click', () => {
  loadLeads(true).catch((e: unknown) => say(`Could not load more leads: ${problemText(e)}`, true));
});
ui.detailClose.addEventListener('click', closeDetail);
// Order and "stalled only" rearrange what is loaded, without asking the server again.
ui.order.addEventListener('change', renderRows);
ui.stalledOnly.addEventListener('change', renderRows);
const selected = (): string | null => state.selectedId;
ui.attemptLog.addEventListener('click', () => {
  const id = selected();
  if (id) void logAttempt(id);
});
ui.qualifyConfirm.addEventListener('click', () => {
  const id = selected();
  if (id) void setStatus(id, 'qualified', { answers: qualifyAnswers() });
});
ui.disqualifyConfirm.addEventListener('click', () => {
  const id = selected();
  if (id) void setStatus(id, 'disqualified', { reason: ui.disqualifyReason.value });
});
ui.qualifyCancel.addEventListener('click', () => (ui.qualify.hidden = true));
ui.disqualifyCancel.addEventListener('click', () => (ui.disqualify.hidden = true));
ui.detail.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeDetail();
});
loadStats().catch((e: unknown) => say(`Could not load the figures: ${problemText(e)}`, true));
loadLeadFlow().catch(() => undefined);
void apply();
