/**
 * The reminder email: one digest per recipient listing every lead they still have to contact. A pure function of
 * its inputs (the clock is a parameter) so the same leads always render the same mail and tests need no timers.
 *
 * Everything about a lead is customer-supplied data from the marketplace, so every value is escaped in the HTML
 * part, flattened to one line in both parts (a newline in a name must not fake a new field), and kept out of the
 * subject entirely: subjects end up in logs, notifications and mail-server traces.
 */
import { escapeHtml } from '../http/html';
import { STAGE_LABEL, STAGE_RANK } from '../marketplace/stage';
import {
  actionLines,
  contactButtonHtml,
  type ContactView,
  contactView,
  type CustomerAction,
  fieldRowHtml,
  formatUtc,
  formatWait,
  htmlLink,
  htmlMail,
  leadBlockHtml,
  type LeadContact,
  type MailStage,
  offerLabel,
  oneLine,
  personName,
  safeHttpUrl,
  stageBadgeHtml,
} from './leadMail';

export type DigestStage = MailStage;

export interface DigestLead extends LeadContact {
  leadId: string;
  stage: DigestStage;
  firstSeenAt: Date;
  history: CustomerAction[];
  contactUrl: string;
  escalation: boolean;
  /** A nurture reminder: the touch of the cadence it is for (followUp/cadence.ts). */
  touch?: { step: number; of: number; last: boolean };
  /** A running or ended trial: its label ("trial ends in 2 days") and its time left, for the order. */
  trial?: { label: string; leftMs: number };
}

export interface DigestOptions {
  escalation: boolean;
  /** Named in the escalation subject ("still uncontacted after 48 h"); omitted from it when not given. */
  escalateAfterHours?: number;
}

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

/** Running trials ending soonest first, then ended ones, most recently ended first, then leads without one. */
function trialRank(lead: DigestLead): [number, number] {
  if (lead.trial === undefined) return [2, 0];
  return lead.trial.leftMs > 0 ? [0, lead.trial.leftMs] : [1, -lead.trial.leftMs];
}

function sortLeads(leads: readonly DigestLead[]): DigestLead[] {
  return [...leads].sort(
    (a, b) =>
      STAGE_RANK[b.stage] - STAGE_RANK[a.stage] ||
      trialRank(a)[0] - trialRank(b)[0] ||
      trialRank(a)[1] - trialRank(b)[1] ||
      a.firstSeenAt.getTime() - b.firstSeenAt.getTime() ||
      (a.leadId < b.leadId ? -1 : a.leadId > b.leadId ? 1 : 0),
  );
}

interface RenderedLead extends ContactView {
  lead: DigestLead;
  name: string;
  wait: string;
  offer: string;
  contactUrl?: string;
  fields: [label: string, value: string][];
  history: { at: string; text: string }[];
}

function view(lead: DigestLead, now: Date): RenderedLead {
  return {
    lead,
    name: personName(lead.firstName, lead.lastName),
    wait: formatWait(now.getTime() - lead.firstSeenAt.getTime()),
    offer: offerLabel(lead.offerTitle, lead.offerId),
    ...contactView(lead),
    contactUrl: safeHttpUrl(lead.contactUrl),
    fields: [
      ['Title', oneLine(lead.title)],
      ['Company', oneLine(lead.company)],
      ['Country', oneLine(lead.country)],
    ],
    history: actionLines(lead.history),
  };
}

function subjectFor(count: number, oldest: string, opts: DigestOptions): string {
  const leads = count === 1 ? 'lead' : 'leads';
  if (opts.escalation) {
    const after = opts.escalateAfterHours !== undefined ? ` after ${Math.round(opts.escalateAfterHours)} h` : '';
    return `Escalation: ${count} marketplace ${leads} still uncontacted${after} (oldest ${oldest})`;
  }
  return `${count} marketplace ${leads} waiting for follow-up (oldest ${oldest})`;
}

function intro(opts: DigestOptions, leads: readonly DigestLead[]): string {
  if (opts.escalation)
    return 'Nobody has contacted these marketplace leads yet, well past the follow-up deadline. Please make sure someone calls or writes to each customer today.';
  const first =
    'Nobody has contacted these marketplace leads yet. Please get in touch with each customer, then use its "Mark as contacted" link so the reminders stop.';
  const touches =
    'Time for the next touch with the customers marked "touch": they have not answered yet and nobody has decided on them. Get in touch again, then record it with the lead\'s link.';
  const hasTouch = leads.some((l) => l.touch !== undefined);
  const hasFirst = leads.some((l) => l.touch === undefined);
  return hasTouch && hasFirst ? `${first} ${touches}` : hasTouch ? touches : first;
}

/** "touch 2 of 3"; the last asks for a decision, since no reminder follows it. */
export function touchLabel(touch: { step: number; of: number; last: boolean }): string {
  const label = `touch ${touch.step} of ${touch.of}`;
  return touch.last ? `${label}, stalled after this: qualify, disqualify or restart` : label;
}

/** What follows the name: the first reminder's wait, or the nurture touch; and the trial's label. */
function statusLine(v: RenderedLead): string[] {
  const parts = [v.lead.touch === undefined ? `waiting ${v.wait}` : touchLabel(v.lead.touch)];
  if (v.lead.trial !== undefined) parts.push(v.lead.trial.label);
  return parts;
}

function renderTextLead(v: RenderedLead, index: number): string {
  const lines = [
    `${index + 1}. ${v.name} | ${STAGE_LABEL[v.lead.stage]} | ${statusLine(v).join(' | ')}${v.lead.escalation ? ' | ESCALATED' : ''}`,
  ];
  for (const [label, value] of v.fields) if (value) lines.push(`   ${label}: ${value}`);
  if (v.email) lines.push(`   Email: ${v.email}`);
  if (v.phone) lines.push(`   Phone: ${v.phone}`);
  if (v.offer) lines.push(`   Offer: ${v.offer}`);
  lines.push(`   First seen: ${formatUtc(v.lead.firstSeenAt)}`);
  if (v.history.length > 0) {
    lines.push('   History:');
    for (const h of v.history) lines.push(`     - ${h.at}  ${h.text}`);
  }
  if (v.contactUrl)
    lines.push(`   ${v.lead.touch === undefined ? 'Mark as contacted' : 'I contacted them'}: ${v.contactUrl}`);
  return lines.join('\n');
}

function renderHtmlLead(v: RenderedLead): string {
  const rows: string[] = [];
  const row = (label: string, valueHtml: string): void => {
    rows.push(fieldRowHtml(label, valueHtml));
  };
  for (const [label, value] of v.fields) if (value) row(label, escapeHtml(value));
  if (v.email) row('Email', htmlLink(v.mailto, v.email));
  if (v.phone) row('Phone', htmlLink(v.tel, v.phone));
  if (v.offer) row('Offer', escapeHtml(v.offer));
  row('First seen', escapeHtml(formatUtc(v.lead.firstSeenAt)));
  if (v.history.length > 0) {
    const items = v.history.map((h) => `${escapeHtml(h.at)} &ndash; ${escapeHtml(h.text)}`).join('<br>');
    row('History', items);
  }
  const badge =
    stageBadgeHtml(v.lead.stage) +
    (v.lead.escalation
      ? ' <span style="background-color:#c50f1f;color:#ffffff;padding:1px 6px;font-size:12px">Escalated</span>'
      : '');
  return leadBlockHtml(
    v.name,
    `${badge} <span style="color:#616161">${escapeHtml(statusLine(v).join(' · '))}</span>`,
    rows.join(''),
    contactButtonHtml(v.contactUrl, v.lead.touch === undefined ? undefined : 'I contacted them'),
  );
}

export function renderDigest(leads: DigestLead[], now: Date, opts: DigestOptions): RenderedDigest {
  // An empty digest is a caller bug; sending "0 leads waiting" would teach people to ignore these mails.
  if (leads.length === 0) throw new RangeError('renderDigest needs at least one lead');
  const views = sortLeads(leads).map((lead) => view(lead, now));
  const oldestMs = Math.max(...leads.map((l) => now.getTime() - l.firstSeenAt.getTime()));
  const subject = subjectFor(leads.length, formatWait(oldestMs), opts);

  const text = [subject, '', intro(opts, leads), '', views.map(renderTextLead).join('\n\n'), ''].join('\n');
  const html = htmlMail(subject, intro(opts, leads), views.map(renderHtmlLead).join(''));
  return { subject, text, html };
}
