/**
 * The alert as an email: one lead at once, or a burst of them in one digest (burst.ts decides which). Same care as
 * the reminder digest (leadMail.ts): customer data escaped in HTML, on one line in both parts, and never in the
 * subject, which ends up in logs, notifications and mail-server traces; the subject names only our stage labels.
 */
import { escapeHtml } from '../../http/html';
import { STAGE_LABEL } from '../../marketplace/stage';
import {
  actionLines,
  contactButtonHtml,
  contactView,
  fieldRowHtml,
  formatUtc,
  htmlLink,
  htmlMail,
  leadBlockHtml,
  offerLabel,
  oneLine,
  personName,
  safeHttpUrl,
  stageBadgeHtml,
} from '../leadMail';
import { type AlertMessage, sortAlerts } from './alertMessage';

export interface RenderedAlert {
  subject: string;
  text: string;
  html: string;
}

interface AlertView {
  alert: AlertMessage;
  name: string;
  headline: string;
  account: string;
  fields: [label: string, value: string][];
  email: string;
  phone: string;
  mailto?: string;
  tel?: string;
  offer: string;
  actions: { at: string; text: string }[];
  contactUrl?: string;
}

/** "New lead" or "Interest → Trial": what happened, in our words only. */
function headline(alert: AlertMessage): string {
  return alert.reason === 'stageRaised' && alert.previousStage !== undefined
    ? `${STAGE_LABEL[alert.previousStage]} → ${STAGE_LABEL[alert.stage]}`
    : 'New lead';
}

function view(alert: AlertMessage): AlertView {
  return {
    alert,
    name: personName(alert.firstName, alert.lastName),
    headline: headline(alert),
    account: oneLine(alert.accountLine),
    fields: [
      ['Title', oneLine(alert.title)],
      ['Company', oneLine(alert.company)],
      ['Country', oneLine(alert.country)],
    ],
    ...contactView(alert),
    offer: offerLabel(alert.offerTitle, alert.offerId),
    actions: actionLines(alert.actions),
    contactUrl: safeHttpUrl(alert.contactUrl),
  };
}

function textLead(v: AlertView, prefix: string): string {
  const trial = v.alert.trial === undefined ? '' : ` | ${v.alert.trial.label}`;
  const lines = [`${prefix}${v.name} | ${STAGE_LABEL[v.alert.stage]} | ${v.headline}${trial}`];
  if (v.account) lines.push(`   ${v.account}`);
  for (const [label, value] of v.fields) if (value) lines.push(`   ${label}: ${value}`);
  if (v.email) lines.push(`   Email: ${v.email}`);
  if (v.phone) lines.push(`   Phone: ${v.phone}`);
  if (v.offer) lines.push(`   Offer: ${v.offer}`);
  lines.push(`   Arrived: ${formatUtc(v.alert.at)}`);
  if (v.actions.length > 0) {
    lines.push('   Actions so far:');
    for (const a of v.actions) lines.push(`     - ${a.at}  ${a.text}`);
  }
  if (v.contactUrl) lines.push(`   Mark as contacted: ${v.contactUrl}`);
  return lines.join('\n');
}

function htmlLead(v: AlertView): string {
  const rows: string[] = [];
  if (v.account) rows.push(fieldRowHtml('Account', escapeHtml(v.account)));
  for (const [label, value] of v.fields) if (value) rows.push(fieldRowHtml(label, escapeHtml(value)));
  if (v.email) rows.push(fieldRowHtml('Email', htmlLink(v.mailto, v.email)));
  if (v.phone) rows.push(fieldRowHtml('Phone', htmlLink(v.tel, v.phone)));
  if (v.offer) rows.push(fieldRowHtml('Offer', escapeHtml(v.offer)));
  if (v.alert.trial !== undefined) rows.push(fieldRowHtml('Trial', escapeHtml(v.alert.trial.label)));
  rows.push(fieldRowHtml('Arrived', escapeHtml(formatUtc(v.alert.at))));
  if (v.actions.length > 0) {
    const items = v.actions.map((a) => `${escapeHtml(a.at)} &ndash; ${escapeHtml(a.text)}`).join('<br>');
    rows.push(fieldRowHtml('Actions so far', items));
  }
  return leadBlockHtml(
    v.name,
    `${stageBadgeHtml(v.alert.stage)} <span style="color:#616161">${escapeHtml(v.headline)}</span>`,
    rows.join(''),
    contactButtonHtml(v.contactUrl),
  );
}

function subjectFor(alert: AlertMessage): string {
  return alert.reason === 'stageRaised'
    ? `Marketplace lead moved up to ${STAGE_LABEL[alert.stage]}: contact them now`
    : `New marketplace lead (${STAGE_LABEL[alert.stage]}): contact them now`;
}

const INTRO_ONE =
  'A customer you own is waiting to hear from you: leads contacted within minutes convert far better. Get in touch now, then use "Mark as contacted".';

export function renderAlertEmail(alert: AlertMessage): RenderedAlert {
  const v = view(alert);
  const subject = subjectFor(alert);
  const text = [subject, '', INTRO_ONE, '', textLead(v, ''), ''].join('\n');
  return { subject, text, html: htmlMail(subject, INTRO_ONE, htmlLead(v)) };
}

/** `burst`: ALERT_BURST, named in the introduction so the reader knows why these came together. */
export function renderAlertDigestEmail(alerts: readonly AlertMessage[], burst: number): RenderedAlert {
  // An empty digest is a caller bug: burst.ts only closes a digest that holds alerts.
  if (alerts.length === 0) throw new RangeError('renderAlertDigestEmail needs at least one alert');
  const views = sortAlerts(alerts).map(view);
  const count = alerts.length;
  const subject = `${count} more marketplace ${count === 1 ? 'lead' : 'leads'} for you: contact them now`;
  const intro =
    `More than ${burst} alerts came for you within a minute, so the rest come together here, most valuable first. ` +
    'Get in touch with each customer, then use its "Mark as contacted" link.';
  const text = [subject, '', intro, '', views.map((v, i) => textLead(v, `${i + 1}. `)).join('\n\n'), ''].join('\n');
  return { subject, text, html: htmlMail(subject, intro, views.map(htmlLead).join('')) };
}
