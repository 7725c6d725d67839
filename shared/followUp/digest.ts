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

export type DigestStage = 'interest' | 'trial' | 'active';

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
  history: { at: Date; source: string; action: string; stage: string }[];
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

const STAGE_COLOUR: Readonly<Record<DigestStage, string>> = {
  active: '#107c10',
  trial: '#8764b8',
  interest: '#605e5c',
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "1 d 3 h", "5 h 12 min", "7 min": coarse on purpose, a reader wants the order of magnitude. */
export function formatWait(ms: number): string {
  const clamped = Math.max(0, ms);
  const days = Math.floor(clamped / DAY);
  const hours = Math.floor((clamped % DAY) / HOUR);
  const minutes = Math.floor((clamped % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}

/** "2024-05-01 14:03 UTC": sales teams span time zones, so one explicit zone beats a guessed local one. */
export function formatUtc(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

// Control characters and line/paragraph separators collapse to a space, so customer data stays on its line.
export function oneLine(value: string | undefined): string {
  return (value ?? '')
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

// Printable ASCII atext plus letters/digits (internationalised addresses); no spaces, quotes, brackets or commas,
// which is what would let a value break out of a mailto: URL or smuggle a second recipient or header into it.
const EMAIL_LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]{1,64}$/u;
const EMAIL_DOMAIN = /^(?=.{1,253}$)[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u;

export function mailtoHref(email: string | undefined): string | undefined {
  const value = oneLine(email);
  const at = value.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!EMAIL_LOCAL.test(local) || !EMAIL_DOMAIN.test(domain)) return undefined;
  return `mailto:${encodeURIComponent(local)}@${encodeURIComponent(domain)}`;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const LOOSE_PHONE = /^\+?[\d\s().-]+$/;

/**
 * Prefers the normalised E.164 form; a free-text phone is linked only if it is digits and separators. The result
 * is only ever "+" and digits, left unencoded: dialers expect a literal "+" in a global number (RFC 3966).
 */
export function telHref(phone: string | undefined, phoneE164: string | undefined): string | undefined {
  const e164 = oneLine(phoneE164);
  if (E164.test(e164)) return `tel:${e164}`;
  const raw = oneLine(phone);
  if (!LOOSE_PHONE.test(raw)) return undefined;
  const compact = raw.replace(/[\s().-]/g, '');
  if (!/^\+?\d{5,20}$/.test(compact)) return undefined;
  return `tel:${compact}`;
}

function safeHttpUrl(url: string): string | undefined {
  return /^https?:\/\/[^\s"'<>]+$/i.test(url) ? url : undefined;
}

function sortLeads(leads: readonly DigestLead[]): DigestLead[] {
  return [...leads].sort(
    (a, b) =>
      STAGE_RANK[b.stage] - STAGE_RANK[a.stage] ||
      a.firstSeenAt.getTime() - b.firstSeenAt.getTime() ||
      (a.leadId < b.leadId ? -1 : a.leadId > b.leadId ? 1 : 0),
  );
}

interface RenderedLead {
  lead: DigestLead;
  name: string;
  wait: string;
  offer: string;
  phone: string;
  email: string;
  mailto?: string;
  tel?: string;
  contactUrl?: string;
  fields: [label: string, value: string][];
  history: { at: string; text: string }[];
}

function view(lead: DigestLead, now: Date): RenderedLead {
  const name = oneLine([lead.firstName, lead.lastName].filter(Boolean).join(' ')) || '(no name given)';
  const offerTitle = oneLine(lead.offerTitle);
  const offerId = oneLine(lead.offerId);
  const offer = offerTitle && offerId && offerTitle !== offerId ? `${offerTitle} (${offerId})` : offerTitle || offerId;
  const history = [...lead.history]
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((h) => ({
      at: formatUtc(h.at),
      text: `${oneLine(h.action) || 'lead'} via ${oneLine(h.source) || 'unknown source'} (${oneLine(h.stage) || 'unknown stage'})`,
    }));
  return {
    lead,
    name,
    wait: formatWait(now.getTime() - lead.firstSeenAt.getTime()),
    offer,
    email: oneLine(lead.email),
    phone: oneLine(lead.phone) || oneLine(lead.phoneE164),
    mailto: mailtoHref(lead.email),
    tel: telHref(lead.phone, lead.phoneE164),
    contactUrl: safeHttpUrl(lead.contactUrl),
    fields: [
      ['Title', oneLine(lead.title)],
      ['Company', oneLine(lead.company)],
      ['Country', oneLine(lead.country)],
    ],
    history,
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

const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:20px;color:#242424';

function link(href: string | undefined, text: string): string {
  return href === undefined
    ? escapeHtml(text)
    : `<a href="${escapeHtml(href)}" style="color:#0f6cbd">${escapeHtml(text)}</a>`;
}

// Tables with inline styles and bgcolor: the Word engine in desktop Outlook ignores padding on links and most CSS.
function renderHtmlLead(v: RenderedLead): string {
  const stage = v.lead.stage;
  const rows: string[] = [];
  const row = (label: string, valueHtml: string): void => {
    rows.push(
      `<tr><td style="${FONT};color:#616161;padding:2px 12px 2px 0;vertical-align:top;white-space:nowrap">${escapeHtml(label)}</td>` +
        `<td style="${FONT};padding:2px 0;vertical-align:top">${valueHtml}</td></tr>`,
    );
  };
  for (const [label, value] of v.fields) if (value) row(label, escapeHtml(value));
  if (v.email) row('Email', link(v.mailto, v.email));
  if (v.phone) row('Phone', link(v.tel, v.phone));
  if (v.offer) row('Offer', escapeHtml(v.offer));
  row('First seen', escapeHtml(formatUtc(v.lead.firstSeenAt)));
  if (v.history.length > 0) {
    const items = v.history.map((h) => `${escapeHtml(h.at)} &ndash; ${escapeHtml(h.text)}`).join('<br>');
    row('History', items);
  }
  const badge =
    `<span style="background-color:${STAGE_COLOUR[stage]};color:#ffffff;padding:1px 6px;font-size:12px">${escapeHtml(STAGE_LABEL[stage])}</span>` +
    (v.lead.escalation
      ? ' <span style="background-color:#c50f1f;color:#ffffff;padding:1px 6px;font-size:12px">Escalated</span>'
      : '');
  const button =
    v.contactUrl === undefined
      ? ''
      : `<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="margin-top:8px"><tr>` +
        `<td bgcolor="#0f6cbd" style="padding:8px 16px"><a href="${escapeHtml(v.contactUrl)}" style="${FONT};color:#ffffff;font-weight:bold;text-decoration:none">Mark as contacted</a></td>` +
        `</tr></table>`;
  return (
    `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="border:1px solid #d1d1d1;margin:0 0 16px 0"><tr><td style="padding:12px 16px">` +
    `<div style="${FONT};font-size:16px;font-weight:bold">${escapeHtml(v.name)}</div>` +
    `<div style="${FONT};margin:4px 0 8px 0">${badge} <span style="color:#616161">waiting ${escapeHtml(v.wait)}</span></div>` +
    `<table role="presentation" cellspacing="0" cellpadding="0" border="0">${rows.join('')}</table>` +
    button +
    `</td></tr></table>`
  );
}

export function renderDigest(leads: DigestLead[], now: Date, opts: DigestOptions): RenderedDigest {
  // An empty digest is a caller bug; sending "0 leads waiting" would teach people to ignore these mails.
  if (leads.length === 0) throw new RangeError('renderDigest needs at least one lead');
  const views = sortLeads(leads).map((lead) => view(lead, now));
  const oldestMs = Math.max(...leads.map((l) => now.getTime() - l.firstSeenAt.getTime()));
  const subject = subjectFor(leads.length, formatWait(oldestMs), opts);

  const text = [subject, '', intro(opts), '', views.map(renderTextLead).join('\n\n'), ''].join('\n');
  const html =
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:16px;background-color:#ffffff">` +
    `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="max-width:680px"><tr><td>` +
    `<h1 style="${FONT};font-size:18px;line-height:24px;margin:0 0 8px 0">${escapeHtml(subject)}</h1>` +
    `<p style="${FONT};margin:0 0 16px 0">${escapeHtml(intro(opts))}</p>` +
    views.map(renderHtmlLead).join('') +
    `</td></tr></table></body></html>`;
  return { subject, text, html };
}
