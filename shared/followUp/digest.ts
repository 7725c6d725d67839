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
  type MailStage,
  offerLabel,
  oneLine,
  personName,
  safeHttpUrl,
  stageBadgeHtml,
} from './leadMail';

export type DigestStage = MailStage;

export interface DigestLead {
  leadId: string;
  stage: DigestStage;
  firstName?: string;
  lastName?: string;
  title?: string;
  company?: string;
  country?: string;
  email?: string;
  phone?: string;
  phoneE164?: string;
  offerTitle?: string;
  offerId?: string;
  firstSeenAt: Date;
  history: CustomerAction[];
  contactUrl: string;
  escalation: boolean;
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

function sortLeads(leads: readonly DigestLead[]): DigestLead[] {
  return [...leads].sort(
    (a, b) =>
      STAGE_RANK[b.stage] - STAGE_RANK[a.stage] ||
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

function intro(opts: DigestOptions): string {
  return opts.escalation
    ? 'Nobody has contacted these marketplace leads yet, well past the follow-up deadline. Please make sure someone calls or writes to each customer today.'
    : 'Nobody has contacted these marketplace leads yet. Please get in touch with each customer, then use its "Mark as contacted" link so the reminders stop.';
}

function renderTextLead(v: RenderedLead, index: number): string {
  const lines = [
    `${index + 1}. ${v.name} | ${STAGE_LABEL[v.lead.stage]} | waiting ${v.wait}${v.lead.escalation ? ' | ESCALATED' : ''}`,
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
  if (v.contactUrl) lines.push(`   Mark as contacted: ${v.contactUrl}`);
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
    `${badge} <span style="color:#616161">waiting ${escapeHtml(v.wait)}</span>`,
    rows.join(''),
    contactButtonHtml(v.contactUrl),
  );
}

export function renderDigest(leads: DigestLead[], now: Date, opts: DigestOptions): RenderedDigest {
  // An empty digest is a caller bug; sending "0 leads waiting" would teach people to ignore these mails.
  if (leads.length === 0) throw new RangeError('renderDigest needs at least one lead');
  const views = sortLeads(leads).map((lead) => view(lead, now));
  const oldestMs = Math.max(...leads.map((l) => now.getTime() - l.firstSeenAt.getTime()));
  const subject = subjectFor(leads.length, formatWait(oldestMs), opts);

  const text = [subject, '', intro(opts), '', views.map(renderTextLead).join('\n\n'), ''].join('\n');
  const html = htmlMail(subject, intro(opts), views.map(renderHtmlLead).join(''));
  return { subject, text, html };
}
