/**
 * How lead data is shown in the emails sales get (reminder digests, new-lead alerts). Everything about a lead is
 * customer-supplied data from the marketplace, so every value is flattened to one line (a newline in a name must
 * not fake a new field), escaped in HTML, and linked only when it cannot break out of its link.
 */
import { escapeHtml } from '../http/html';
import { STAGE_LABEL } from '../marketplace/stage';

/** The stages sales are told about: do-not-contact leads are never reminded nor alerted. */
export type MailStage = 'interest' | 'trial' | 'active';

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

/** Control characters and line/paragraph separators collapse to a space, so customer data stays on its line. */
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

/** The URL when it is plainly http(s) with nothing that could end an attribute; undefined otherwise. */
export function safeHttpUrl(url: string): string | undefined {
  return /^https?:\/\/[^\s"'<>]+$/i.test(url) ? url : undefined;
}

export function personName(firstName: string | undefined, lastName: string | undefined): string {
  return oneLine([firstName, lastName].filter(Boolean).join(' ')) || '(no name given)';
}

/** "Ledger Cloud (ledger-cloud)", or whichever of the two is known. */
export function offerLabel(offerTitle: string | undefined, offerId: string | undefined): string {
  const title = oneLine(offerTitle);
  const id = oneLine(offerId);
  return title && id && title !== id ? `${title} (${id})` : title || id;
}

/** Who the lead is and for which offer, as the record holds it: what every lead email shows. */
export interface LeadContact {
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
}

export interface CustomerAction {
  at: Date;
  source: string;
  action: string;
  stage: string;
}

/** The customer's marketplace actions oldest first, as "2024-05-02 09:00 UTC" and "PLT via AppSource (interest)". */
export function actionLines(actions: readonly CustomerAction[]): { at: string; text: string }[] {
  return [...actions]
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((h) => ({
      at: formatUtc(h.at),
      text: `${oneLine(h.action) || 'lead'} via ${oneLine(h.source) || 'unknown source'} (${oneLine(h.stage) || 'unknown stage'})`,
    }));
}

/** Contact details as shown in both parts of a mail: display values and the links that are safe to make. */
export interface ContactView {
  email: string;
  phone: string;
  mailto?: string;
  tel?: string;
}

export function contactView(lead: { email?: string; phone?: string; phoneE164?: string }): ContactView {
  return {
    email: oneLine(lead.email),
    phone: oneLine(lead.phone) || oneLine(lead.phoneE164),
    mailto: mailtoHref(lead.email),
    tel: telHref(lead.phone, lead.phoneE164),
  };
}

// --- HTML pieces. Tables with inline styles and bgcolor: the Word engine in desktop Outlook ignores padding on
// links and most CSS.

export const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:20px;color:#242424';

export const STAGE_COLOUR: Readonly<Record<MailStage, string>> = {
  active: '#107c10',
  trial: '#8764b8',
  interest: '#605e5c',
};

export function htmlLink(href: string | undefined, text: string): string {
  return href === undefined
    ? escapeHtml(text)
    : `<a href="${escapeHtml(href)}" style="color:#0f6cbd">${escapeHtml(text)}</a>`;
}

export function stageBadgeHtml(stage: MailStage): string {
  return `<span style="background-color:${STAGE_COLOUR[stage]};color:#ffffff;padding:1px 6px;font-size:12px">${escapeHtml(STAGE_LABEL[stage])}</span>`;
}

/** One label/value row of a lead's detail table; `valueHtml` is already escaped. */
export function fieldRowHtml(label: string, valueHtml: string): string {
  return (
    `<tr><td style="${FONT};color:#616161;padding:2px 12px 2px 0;vertical-align:top;white-space:nowrap">${escapeHtml(label)}</td>` +
    `<td style="${FONT};padding:2px 0;vertical-align:top">${valueHtml}</td></tr>`
  );
}

/** The "Mark as contacted" button, or nothing when the URL is not a plain http(s) URL. */
export function contactButtonHtml(contactUrl: string | undefined, label = 'Mark as contacted'): string {
  return contactUrl === undefined
    ? ''
    : `<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="margin-top:8px"><tr>` +
        `<td bgcolor="#0f6cbd" style="padding:8px 16px"><a href="${escapeHtml(contactUrl)}" style="${FONT};color:#ffffff;font-weight:bold;text-decoration:none">${escapeHtml(label)}</a></td>` +
        `</tr></table>`;
}

/** The whole mail: the subject as title and heading, an introduction, then the blocks (already HTML). */
export function htmlMail(subject: string, intro: string, blocksHtml: string): string {
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:16px;background-color:#ffffff">` +
    `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="max-width:680px"><tr><td>` +
    `<h1 style="${FONT};font-size:18px;line-height:24px;margin:0 0 8px 0">${escapeHtml(subject)}</h1>` +
    `<p style="${FONT};margin:0 0 16px 0">${escapeHtml(intro)}</p>` +
    blocksHtml +
    `</td></tr></table></body></html>`
  );
}

/** A bordered block for one lead: its name as heading, a line under it (HTML), a detail table, then extras. */
export function leadBlockHtml(name: string, subtitleHtml: string, rowsHtml: string, afterHtml: string): string {
  return (
    `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="border:1px solid #d1d1d1;margin:0 0 16px 0"><tr><td style="padding:12px 16px">` +
    `<div style="${FONT};font-size:16px;font-weight:bold">${escapeHtml(name)}</div>` +
    `<div style="${FONT};margin:4px 0 8px 0">${subtitleHtml}</div>` +
    `<table role="presentation" cellspacing="0" cellpadding="0" border="0">${rowsHtml}</table>` +
    afterHtml +
    `</td></tr></table>`
  );
}
