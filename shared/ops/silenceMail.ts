/**
 * The two silence emails to ops: the alarm and "leads are back". They name times and, at most, an offer: never a
 * customer, so they can go to a shared ops mailbox and into any ticket system.
 */
import type { RenderedDigest } from '../followUp/digest';
import { formatUtc, formatWait, oneLine } from '../followUp/leadMail';
import { escapeHtml } from '../http/html';

export interface SilenceAlarmFacts {
  /** The last real lead. */
  silentSince: Date;
  now: Date;
  /** SILENCE_ALERT_DAYS. */
  days: number;
  /** The last test lead (Partner Center sends one on Validate and on publish), if any. */
  lastTestLeadAt?: Date;
  /** The offer of the last real lead, if known: the publisher's own offer name, not customer data. */
  lastOffer?: string;
}

export interface LeadsBackFacts {
  silentSince: Date;
  backAt: Date;
}

const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:20px;color:#242424';

/** An email's content: paragraphs, then a list of checks (may be empty), then closing paragraphs. */
interface Body {
  before: string[];
  checks: string[];
  after: string[];
}

function html(subject: string, body: Body): string {
  const paragraphs = (ps: string[]): string =>
    ps.map((p) => `<p style="${FONT};margin:0 0 12px 0">${escapeHtml(p)}</p>`).join('');
  const list =
    body.checks.length === 0
      ? ''
      : `<ul style="${FONT};margin:0 0 12px 0">${body.checks.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`;
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:16px;background-color:#ffffff">` +
    `<h1 style="${FONT};font-size:18px;line-height:24px;margin:0 0 8px 0">${escapeHtml(subject)}</h1>` +
    paragraphs(body.before) +
    list +
    paragraphs(body.after) +
    `</body></html>`
  );
}

function text(subject: string, body: Body): string {
  const checks = body.checks.length === 0 ? [] : [...body.checks.map((c) => `- ${c}`), ''];
  return [subject, '', ...body.before.flatMap((p) => [p, '']), ...checks, ...body.after.flatMap((p) => [p, ''])].join(
    '\n',
  );
}

function render(subject: string, body: Body): RenderedDigest {
  return { subject, text: text(subject, body), html: html(subject, body) };
}

export function renderSilenceAlarm(facts: SilenceAlarmFacts): RenderedDigest {
  const since = formatUtc(facts.silentSince);
  const wait = formatWait(facts.now.getTime() - facts.silentSince.getTime());
  const offer = oneLine(facts.lastOffer);
  return render(`No marketplace leads for ${wait} (last one ${since})`, {
    before: [
      `No real lead has arrived from the commercial marketplace since ${since}${offer ? ` (offer ${offer})` : ''}, ` +
        `${wait} ago, while leads arrived before. It may be a quiet spell, or Microsoft may no longer reach this app.`,
      facts.lastTestLeadAt === undefined
        ? 'No test lead has arrived either.'
        : `The last test lead arrived ${formatUtc(facts.lastTestLeadAt)}.`,
      'Worth checking:',
    ],
    checks: [
      "In Partner Center, each offer's lead destination (Customer leads) still points at this app, with its current function key.",
      'Select Validate there: a test lead should show up within minutes.',
      'GET /api/health shows storage, poisoned leads and settings problems.',
    ],
    after: [
      `You will hear once more when leads arrive again. This alarm goes out after ${facts.days} days without a ` +
        'real lead (SILENCE_ALERT_DAYS; 0 turns it off).',
    ],
  });
}

export function renderLeadsBack(facts: LeadsBackFacts): RenderedDigest {
  const wait = formatWait(facts.backAt.getTime() - facts.silentSince.getTime());
  return render(`Marketplace leads are arriving again (after ${wait} without one)`, {
    before: [
      `A real lead arrived ${formatUtc(facts.backAt)}, after none since ${formatUtc(facts.silentSince)}. ` +
        'The silence alarm is over; a new one goes out if leads stop again.',
    ],
    checks: [],
    after: [],
  });
}
