/**
 * `GET /api/dashboard`: one self-contained page. The markup is static — no lead data is ever put into it on the
 * server; the page's script (browser/dashboard.ts) fetches the data and builds the DOM with textContent. The
 * Content-Security-Policy allows exactly the page's own inline script and stylesheet, by their SHA-256 hashes
 * (fixed once the app is built, so computed once), and lets the page talk only to its own origin. The app's
 * constants the script needs (stage labels, statuses) travel in a JSON data block, which the browser never
 * executes, so the policy has nothing to allow for it.
 */
import { createHash } from 'node:crypto';

import { type Criterion, DEFAULT_CRITERIA, DEFAULT_DISQUALIFY_REASONS } from '../../config/nurture';
import type { HttpAnswer } from '../../http/answer';
import { STAGE_LABEL } from '../../marketplace/stage';
import { ATTEMPT_CHANNELS, ATTEMPT_OUTCOMES } from '../../record/attempts';
import type { LeadStatus } from '../../record/model';
import { SOURCES, STAGES, STATUSES } from '../values';
import { readDashboardScript } from './script';
import { DASHBOARD_CSS } from './styles';

/** What the script reads from the page's data block (its own copy of this shape is in browser/dashboard.ts). */
export interface DashboardData {
  stages: { value: string; label: string }[];
  statuses: readonly LeadStatus[];
  statusActions: readonly LeadStatus[];
  /** QUALIFICATION_CRITERIA and DISQUALIFY_REASONS as configured: what the qualify and disqualify dialogs ask. */
  criteria: readonly Criterion[];
  disqualifyReasons: readonly string[];
}

export const DASHBOARD_DATA: DashboardData = {
  stages: STAGES.map((value) => ({ value, label: STAGE_LABEL[value] })),
  statuses: STATUSES,
  // Sales mark what they did; "new" is where every lead starts, not something to set.
  statusActions: STATUSES.filter((s) => s !== 'new'),
  criteria: DEFAULT_CRITERIA,
  disqualifyReasons: DEFAULT_DISQUALIFY_REASONS,
};

const OUTCOME_LABEL: Record<(typeof ATTEMPT_OUTCOMES)[number], string> = {
  reached: 'Reached them',
  noAnswer: 'No answer',
  leftMessage: 'Left a message',
  replied: 'They replied',
};

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export function contentSecurityPolicy(script: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(DASHBOARD_CSS)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

// JSON inside <script> ends at the first "</script"; escaping every "<" keeps any text from closing the block early.
const dataBlock = (data: DashboardData): string => JSON.stringify(data).replace(/</g, '\\u003c');

// Only the app's own constant values go through here, never lead data.
const option = (value: string, label: string): string => `<option value="${value}">${label}</option>`;
const column = (label: string): string => `<th scope="col" class="num">${label}</th>`;
const capitalised = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

const STATUS_OPTIONS = STATUSES.map((s) => option(s, s)).join('');
const CHANNEL_OPTIONS = ATTEMPT_CHANNELS.map((c) => option(c, capitalised(c))).join('');
const OUTCOME_OPTIONS = ATTEMPT_OUTCOMES.map((o) => option(o, OUTCOME_LABEL[o])).join('');
const STAGE_OPTIONS = STAGES.map((s) => option(s, STAGE_LABEL[s])).join('');
const SOURCE_OPTIONS = SOURCES.map((s) => option(s, s)).join('');
const STAGE_COLUMNS = STAGES.map((s) => column(STAGE_LABEL[s])).join('');
const STATUS_COLUMNS = STATUSES.map((s) => column(capitalised(s))).join('');

export function dashboardHtml(script: string, data: DashboardData = DASHBOARD_DATA): string {
  // Either would end or derail the inline <script> element before the script does.
  if (/<\/script|<!--/i.test(script)) throw new Error('The dashboard script contains "</script" or "<!--"');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Marketplace leads</title>
<link rel="icon" href="data:,">
<style>${DASHBOARD_CSS}</style>
</head>
<body>
<header>
  <h1>Marketplace leads</h1>
  <p id="message" class="message" role="status" aria-live="polite"></p>
</header>
<main>
  <section aria-labelledby="stats-heading">
    <h2 id="stats-heading">Pipeline</h2>
    <ul id="figures" class="figures" aria-label="Key figures"></ul>
    <p id="lead-flow" aria-label="Lead flow"></p>
    <div class="stats-grid">
      <figure>
        <figcaption>Leads per day, last 30 days (UTC)</figcaption>
        <div id="chart"></div>
      </figure>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Funnel and speed to lead per offer</caption>
          <thead>
            <tr>
              <th scope="col">Offer</th><th scope="col" class="num">Leads</th>
              ${STAGE_COLUMNS}
              ${STATUS_COLUMNS}
              <th scope="col" class="num">Median to contact</th><th scope="col" class="num">90th pct.</th><th scope="col" class="num">Within 24 h</th>
            </tr>
          </thead>
          <tbody id="funnel-body"></tbody>
          <tfoot id="funnel-foot"></tfoot>
        </table>
      </div>
    </div>
  </section>

  <section aria-labelledby="leads-heading">
    <h2 id="leads-heading">Leads</h2>
    <form id="filters" class="filters" role="search" aria-label="Filter leads">
      <div><label for="f-q">Name, company or email starts with</label><input id="f-q" name="q" type="search" maxlength="200" autocomplete="off"></div>
      <div><label for="f-status">Status</label><select id="f-status" name="status"><option value="">Any</option>${STATUS_OPTIONS}</select></div>
      <div><label for="f-stage">Stage</label><select id="f-stage" name="stage"><option value="">Any</option>${STAGE_OPTIONS}</select></div>
      <div><label for="f-offer">Offer</label><select id="f-offer" name="offer"><option value="">Any</option></select></div>
      <div><label for="f-source">Source</label><select id="f-source" name="source"><option value="">Any</option>${SOURCE_OPTIONS}</select></div>
      <div><label for="f-since">First seen from</label><input id="f-since" name="since" type="date"></div>
      <div><label for="f-until">First seen until</label><input id="f-until" name="until" type="date"></div>
      <div class="check"><input id="f-includeTest" name="includeTest" type="checkbox"> <label for="f-includeTest">Include test leads</label></div>
      <div><label for="f-me">My email</label><input id="f-me" name="me" type="email" maxlength="200" autocomplete="email"></div>
      <div class="check"><input id="f-mine" name="mine" type="checkbox"> <label for="f-mine">Only my leads</label></div>
      <div><label for="f-order">Order</label><select id="f-order"><option value="newest">Newest first</option><option value="trial">Trial ending soonest</option></select></div>
      <div class="check"><input id="f-stalled" type="checkbox"> <label for="f-stalled">Stalled only</label></div>
      <div class="actions">
        <button type="submit">Apply filters</button>
        <button type="button" id="filters-reset" class="secondary">Reset</button>
        <a id="export" class="button secondary" href="leads/export.csv" download>Export CSV</a>
      </div>
    </form>
    <div id="split" class="split">
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Leads, newest first. Waiting times over 24 hours are marked overdue.</caption>
          <thead>
            <tr>
              <th scope="col">Name</th><th scope="col">Company</th><th scope="col">Email</th><th scope="col">Offer</th>
              <th scope="col">Stage</th><th scope="col">Status</th><th scope="col">First seen</th><th scope="col" class="num">Waiting</th>
            </tr>
          </thead>
          <tbody id="lead-body"></tbody>
        </table>
        <p><button type="button" id="more" class="secondary" hidden>Load more leads</button></p>
      </div>
      <aside id="detail" aria-labelledby="detail-title" hidden>
        <div class="detail-head">
          <h2 id="detail-title" tabindex="-1">Lead</h2>
          <button type="button" id="detail-close" class="secondary">Close<span class="sr-only"> lead details</span></button>
        </div>
        <dl id="detail-facts" class="facts"></dl>
        <h3>Record what you did</h3>
        <div class="field"><label for="detail-by">Your name (optional)</label><input id="detail-by" type="text" maxlength="200" autocomplete="name"></div>
        <div class="field"><label for="detail-note">Note (optional)</label><textarea id="detail-note" maxlength="1000"></textarea></div>
        <div id="detail-actions" class="actions" role="group" aria-label="Change status"></div>
        <div class="field"><label for="detail-owner">Owner</label><input id="detail-owner" type="email" maxlength="200"></div>
        <div class="actions"><button type="button" id="detail-reassign" class="secondary">Reassign</button></div>
        <fieldset id="qualify" class="dialog" hidden>
          <legend>Qualify: what do we know?</legend>
          <div id="qualify-criteria"></div>
          <div class="actions"><button type="button" id="qualify-confirm">Confirm qualified</button><button type="button" id="qualify-cancel" class="secondary">Cancel</button></div>
        </fieldset>
        <fieldset id="disqualify" class="dialog" hidden>
          <legend>Disqualify: why?</legend>
          <div class="field"><label for="disqualify-reason">Reason</label><select id="disqualify-reason"></select></div>
          <div class="actions"><button type="button" id="disqualify-confirm">Confirm disqualified</button><button type="button" id="disqualify-cancel" class="secondary">Cancel</button></div>
        </fieldset>
        <h3>Contact attempts</h3>
        <ol id="detail-attempts" class="history"></ol>
        <div class="attempt">
          <div class="field"><label for="attempt-channel">Channel</label><select id="attempt-channel">${CHANNEL_OPTIONS}</select></div>
          <div class="field"><label for="attempt-outcome">Outcome</label><select id="attempt-outcome">${OUTCOME_OPTIONS}</select></div>
          <button type="button" id="attempt-log">Log attempt</button>
        </div>
        <h3>History</h3>
        <ol id="detail-history" class="history"></ol>
      </aside>
    </div>
  </section>
</main>
<script type="application/json" id="page-data">${dataBlock(data)}</script>
<script type="module">${script}</script>
</body>
</html>
`;
}

// Built on the first request and kept: the script and the markup are fixed once the app is built.
let page: { html: string; csp: string } | undefined;

/** `data`: the page data with the configured criteria and reasons (settings are fixed for the process's life). */
export function dashboardResponse(data: DashboardData = DASHBOARD_DATA): HttpAnswer {
  if (!page) {
    const script = readDashboardScript();
    page = { html: dashboardHtml(script, data), csp: contentSecurityPolicy(script) };
  }
  return {
    status: 200,
    body: page.html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': page.csp,
      // The page URL carries the function key: never send it to another site.
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    },
  };
}
