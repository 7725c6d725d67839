/**
 * The small pages behind the "Mark as contacted" link. They show customer data (name, company, offer), so every
 * value is escaped, and they are served with headers that forbid scripts, framing and leaking the signed URL
 * through the Referer header.
 */

import type { HttpAnswer } from '../http/answer';
import { escapeHtml } from '../http/html';
import { ATTEMPT_CHANNELS, ATTEMPT_OUTCOMES } from '../record/attempts';
import type { LeadRecord } from '../record/model';

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  // No scripts, images or external anything; inline styles only; the one form may only post back to us.
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  // The URL carries the token: never send it on as a Referer.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export type ContactLeadView = Pick<
  LeadRecord,
  'firstName' | 'lastName' | 'company' | 'offerTitle' | 'offerId' | 'status' | 'statusChangedAt'
>;

const STYLE =
  'body{font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#242424;max-width:560px;margin:40px auto;padding:0 16px;line-height:1.5}' +
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{color:#616161}dd{margin:0}' +
  'button{background:#0f6cbd;color:#fff;border:0;padding:10px 20px;font-size:15px;font-weight:600;cursor:pointer}' +
  'label{display:block;margin:12px 0 4px}select,textarea{font:inherit;width:100%;box-sizing:border-box}';

function page(status: number, title: string, body: string): HttpAnswer {
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return { status, headers: { ...PAGE_HEADERS }, body: html };
}

function oneLine(value: string | undefined): string {
  return (value ?? '').replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
}

function leadDetails(lead: ContactLeadView): string {
  const name = oneLine([lead.firstName, lead.lastName].filter(Boolean).join(' ')) || '(no name given)';
  const rows: [string, string][] = [
    ['Name', name],
    ['Company', oneLine(lead.company)],
    ['Offer', oneLine(lead.offerTitle) || oneLine(lead.offerId)],
  ];
  return `<dl>${rows
    .filter(([, value]) => value !== '')
    .map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('')}</dl>`;
}

/** GET: what the link is about and a button. Mail scanners follow GET links, so only the POST changes anything. */
export function confirmPage(lead: ContactLeadView, formAction: string, token: string): HttpAnswer {
  // A decided lead is done; a contacted one can take another attempt (the nurture cadence's next touch).
  if (lead.status === 'qualified' || lead.status === 'disqualified') return alreadyMarkedPage(lead);
  return page(
    200,
    'Mark this lead as contacted?',
    leadDetails(lead) +
      `<form method="post" action="${escapeHtml(formAction)}">` +
      `<input type="hidden" name="token" value="${escapeHtml(token)}">` +
      `<button type="submit">Mark as contacted</button></form>` +
      '<p>This records a contact attempt: the first one stops the reminders to contact the lead.</p>',
  );
}

const CHANNEL_LABEL: Record<(typeof ATTEMPT_CHANNELS)[number], string> = {
  email: 'Email',
  phone: 'Phone',
  meeting: 'Meeting',
  other: 'Other',
};
const OUTCOME_LABEL: Record<(typeof ATTEMPT_OUTCOMES)[number], string> = {
  reached: 'Reached them',
  noAnswer: 'No answer',
  leftMessage: 'Left a message',
  replied: 'They replied',
};

const options = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([value, label]) => `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`)
    .join('');

/**
 * After the click: the attempt is recorded; a form asks how it went. It posts back with the same signed token and
 * the click's event id, and the handler takes only channel, outcome and note from it.
 */
export function donePage(
  lead: ContactLeadView,
  form?: { action: string; token: string; attemptId: string; noteMax: number },
): HttpAnswer {
  const ask =
    form === undefined
      ? ''
      : `<form method="post" action="${escapeHtml(form.action)}">` +
        `<input type="hidden" name="token" value="${escapeHtml(form.token)}">` +
        `<input type="hidden" name="amends" value="${escapeHtml(form.attemptId)}">` +
        `<label for="channel">How?</label><select id="channel" name="channel">${options(CHANNEL_LABEL)}</select>` +
        `<label for="outcome">What came of it?</label><select id="outcome" name="outcome">${options(OUTCOME_LABEL)}</select>` +
        `<label for="note">Note (optional)</label><textarea id="note" name="note" rows="3" maxlength="${form.noteMax}"></textarea>` +
        `<p><button type="submit">Save</button></p></form>`;
  return page(
    200,
    'Marked as contacted',
    leadDetails(lead) +
      '<p>Thank you. The attempt is recorded: the reminders follow the cadence from here, until the customer replies or someone decides.</p>' +
      ask,
  );
}

export function attemptSavedPage(lead: ContactLeadView): HttpAnswer {
  return page(200, 'Saved', leadDetails(lead) + '<p>Thank you. How it went is recorded with the attempt.</p>');
}

export function badFormPage(message: string): HttpAnswer {
  return page(400, 'That did not work', `<p>${escapeHtml(message)} Go back and try again.</p>`);
}

export function alreadyMarkedPage(lead: ContactLeadView): HttpAnswer {
  const when = lead.statusChangedAt ? ` on ${lead.statusChangedAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  return page(
    200,
    `Already marked as ${lead.status}`,
    leadDetails(lead) +
      `<p>This lead was marked as ${escapeHtml(lead.status)}${escapeHtml(when)}. Nothing was changed.</p>`,
  );
}

export function invalidLinkPage(): HttpAnswer {
  return page(
    403,
    'This link is not valid',
    '<p>The link is incomplete or was changed. Open it again from the reminder email, without editing it.</p>',
  );
}

export function expiredLinkPage(): HttpAnswer {
  return page(
    410,
    'This link has expired',
    '<p>Contact links work for a limited time. The lead can still be updated: use the link in a newer reminder email, or ask an administrator to set its status.</p>',
  );
}

export function unknownLeadPage(): HttpAnswer {
  return page(404, 'Lead not found', '<p>This lead no longer exists.</p>');
}
