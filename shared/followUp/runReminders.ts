/**
 * One reminder run: every lead that fell due and is still uncontacted reaches its salespeople in one digest per
 * recipient, and an escalation goes to the escalation address; each exactly once, even under faults.
 *
 * How "once" holds (docs/reminders.md):
 *  - Only one run sends at a time: a lease (runLease.ts) is taken first and extended before every email.
 *  - A follow-up entry records each recipient whose mail server accepted the digest (`sentTo`), written only
 *    after acceptance, so an SMTP failure marks nothing and the next run sends again. The next run skips the
 *    recipients already in `sentTo`. A crash after the server accepted a digest but before `sentTo` was written
 *    repeats that one digest once on the next run: the unavoidable window of "mark after send".
 *  - When every recipient of an entry has it, a `reminder` event is appended to the lead's history and the record
 *    rebuilt, which sets remindedAt / escalatedAt and removes the entry for good.
 *
 * Work is proportional to what is due: the run reads only follow-up entries due by now (their partition is the
 * due hour) and touches only those leads, never the whole Leads table.
 */
import { domainToASCII } from 'node:url';

import type { Clock } from '../clock';
import type { AppConfig } from '../config';
import type { Mailer } from '../mail/mailer';
import type { Stage } from '../marketplace/stage';
import type { FollowUpKind } from '../record/keys';
import type { LeadEvent, LeadRecord } from '../record/model';
import { needsFollowUp, projectLead, reminderSince } from '../record/projection';
import { type FollowUpPolicy, type LeadIdentity, rebuildLead } from '../record/rebuild';
import type { FollowUpEntry, RecordStore } from '../record/recordStore';
import { contactLinkUrl, signContactToken } from './contactToken';
import { type DigestLead, type DigestStage, renderDigest } from './digest';
import { groupByRecipient, recipientsFor, type RoutableLead } from './routing';
import { acquireRunLease, type RunLease } from './runLease';

export type ReminderSettings = Pick<
  AppConfig,
  | 'followUpHours'
  | 'escalateAfterHours'
  | 'reminderRoutes'
  | 'defaultRecipients'
  | 'escalationEmail'
  | 'contactLink'
  | 'publicBaseUrl'
>;

/** Lines for the function log. Callers pass ids and counts only; no names, addresses or phone numbers. */
export interface ReminderLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ReminderDeps {
  store: RecordStore;
  mailer: Mailer;
  clock: Clock;
  newId: () => string;
  config: ReminderSettings;
  log: ReminderLog;
  /** How long a crashed run can block the next; longer than one digest can take (SMTP timeouts are ≤ 40 s). */
  leaseTtlMs?: number;
}

export const LEASE_NAME = 'sendReminders';
export const DEFAULT_LEASE_TTL_MS = 10 * 60_000;

export type DigestOutcome = 'sent' | 'failed' | 'notSent';

export interface DigestResult {
  kind: FollowUpKind;
  recipient: string;
  leadIds: string[];
  outcome: DigestOutcome;
  /** Why it failed: the mail server's answer (addresses redacted by the mailer). */
  error?: string;
}

export interface ReminderRunSummary {
  isPastDue: boolean;
  /** 'held' when another run had the lease, so this one did nothing. */
  lease: 'acquired' | 'held';
  /** Due follow-up entries read. */
  due: number;
  /** Entries dropped without mail: contacted meanwhile, do-not-contact, test, unrecognised, gone, escalation off. */
  skipped: number;
  /** Entries finished this run (every recipient has it; the lead now carries a reminder event). */
  completed: number;
  /** Entries left for the next run (a recipient's server refused, or the lease was lost). */
  pending: number;
  sent: number;
  failed: number;
  digests: DigestResult[];
}

interface Candidate extends RoutableLead {
  entry: FollowUpEntry;
  record: LeadRecord;
  recipients: string[];
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** Servers report an internationalised domain in its ASCII (punycode) form: compare in that form. */
function addressKey(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.toLowerCase();
  const domain = address.slice(at + 1);
  return `${address.slice(0, at)}@${domainToASCII(domain) || domain}`.toLowerCase();
}

const sameAddress = (a: string, b: string): boolean => addressKey(a) === addressKey(b);
const hasAddress = (list: readonly string[], address: string): boolean => list.some((x) => sameAddress(x, address));

const ESCALATION_OFF = 'escalation is off (ESCALATION_EMAIL unset)';

/** ESCALATION_EMAIL may list several addresses, separated as config.ts accepts them. */
function addressList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function identityOf(record: LeadRecord): LeadIdentity {
  return { leadId: record.leadId, offerKey: record.offerKey, identityKind: record.identityKind };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Routes may name an offer as Microsoft's LeadSource does (`publisher.offer`, also the sample setting), by the
 * bare offer id, or by title. routing.ts matches the last two; a publisher-qualified route is tried first here.
 */
function routeView(record: LeadRecord): RoutableLead {
  return { publisherId: record.publisherId, offerId: record.offerId, offerTitle: record.offerTitle };
}

function digestStage(stage: Stage): DigestStage {
  // Do-not-contact records are never due (needsFollowUp), so they never reach a digest; 'interest' is a floor.
  return stage === 'doNotContact' ? 'interest' : stage;
}

function dueAtFor(record: LeadRecord, kind: FollowUpKind, config: ReminderSettings): number {
  const hours = kind === 'remind' ? config.followUpHours : config.escalateAfterHours;
  return Date.parse(record.firstSeenAt) + hours * HOUR_MS;
}

/** Why an entry must not be mailed, or undefined when it is a live reminder. */
function skipReason(
  entry: FollowUpEntry,
  record: LeadRecord | undefined,
  config: ReminderSettings,
): string | undefined {
  if (record === undefined) return 'no such lead';
  if (record.status !== 'new') return `status is ${record.status}`;
  if (record.doNotContact) return 'do-not-contact';
  if (record.isTest) return 'test lead';
  if (record.unrecognised) return 'unrecognised lead';
  if (!needsFollowUp(record)) return 'not followed up';
  if (entry.kind === 'remind' && record.remindedAt) return 'already reminded';
  if (entry.kind === 'escalate' && record.escalatedAt) return 'already escalated';
  // Left behind when a late-processed lead moved firstSeenAt: the record has (or gets) the right entry.
  if (Date.parse(entry.dueAt) !== dueAtFor(record, entry.kind, config)) return 'stale entry';
  return undefined;
}

export async function runReminders(deps: ReminderDeps, options: { isPastDue: boolean }): Promise<ReminderRunSummary> {
  const { store, clock, config, log } = deps;
  const policy: FollowUpPolicy = { followUpHours: config.followUpHours, escalateAfterHours: config.escalateAfterHours };
  const now = clock();
  const summary: ReminderRunSummary = {
    isPastDue: options.isPastDue,
    lease: 'held',
    due: 0,
    skipped: 0,
    completed: 0,
    pending: 0,
    sent: 0,
    failed: 0,
    digests: [],
  };
  log.info(
    options.isPastDue
      ? 'Reminder run started (isPastDue: the schedule fell behind; everything that fell due meanwhile is sent now)'
      : 'Reminder run started (isPastDue: false)',
  );

  const attempt = await acquireRunLease(store.tables.locks, LEASE_NAME, {
    owner: deps.newId(),
    now,
    ttlMs: deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
  });
  if (!attempt.acquired) {
    const until = attempt.heldUntil ? ` until ${attempt.heldUntil.toISOString()}` : '';
    log.warn(`Another reminder run holds the lease${until}; this run sends nothing (the holder sends what is due)`);
    return summary;
  }
  summary.lease = 'acquired';
  const lease = attempt.lease;
  try {
    await sendDue(deps, lease, now, policy, summary);
  } finally {
    await lease.release();
  }
  log.info(
    `Reminder run done: ${summary.due} due, ${summary.sent} digest(s) sent, ${summary.failed} failed, ` +
      `${summary.completed} lead reminder(s) completed, ${summary.skipped} skipped, ${summary.pending} left for the next run`,
  );
  return summary;
}

async function sendDue(
  deps: ReminderDeps,
  lease: RunLease,
  now: Date,
  policy: FollowUpPolicy,
  summary: ReminderRunSummary,
): Promise<void> {
  const { store, mailer, clock, config, log } = deps;
  const records = new Map<string, LeadRecord | undefined>();
  const events = new Map<string, LeadEvent[]>();
  const eventsOf = async (leadId: string): Promise<LeadEvent[]> => {
    let list = events.get(leadId);
    if (list === undefined) {
      list = await store.listEvents(leadId);
      events.set(leadId, list);
    }
    return list;
  };
  // The record as its events say it is. A writer appends an event and then rebuilds; if it crashed in between
  // (a contact recorded, the record not yet rebuilt), the stored record is stale, and mailing on it would remind
  // sales of a lead they already called. The events are read anyway for the digest's history.
  const recordOf = async (leadId: string): Promise<LeadRecord | undefined> => {
    if (!records.has(leadId)) {
      const stored = (await store.getRecord(leadId))?.record;
      records.set(leadId, stored && projectLead(identityOf(stored), await eventsOf(leadId)));
    }
    return records.get(leadId);
  };

  // 1. Due entries, checked against their records.
  const escalationTo = addressList(config.escalationEmail);
  const candidates: Candidate[] = [];
  for await (const entry of store.dueFollowUps(now)) {
    summary.due++;
    const record = await recordOf(entry.leadId);
    const reason =
      entry.kind === 'escalate' && escalationTo.length === 0 ? ESCALATION_OFF : skipReason(entry, record, config);
    if (reason !== undefined || record === undefined) {
      summary.skipped++;
      log.info(`Lead ${entry.leadId}: ${entry.kind} entry dropped (${reason ?? 'no such lead'})`);
      // Delete, then rebuild: the rebuild's sync puts back whatever the latest record wants, so a status change
      // racing this run (say, back to new) cannot lose its entry to our delete. The direct delete covers entries
      // the rebuild keeps (escalation off) or never knew of.
      try {
        await store.deleteFollowUp(entry.kind, entry.leadId, entry.dueAt);
      } catch (e) {
        log.warn(
          `Lead ${entry.leadId}: could not drop its ${entry.kind} entry (${errorText(e)}); the next run tries again`,
        );
        continue;
      }
      if (record !== undefined && reason !== ESCALATION_OFF) await rebuildOrWarn(deps, record, policy);
      continue;
    }
    const view = routeView(record);
    const recipients =
      entry.kind === 'escalate' ? escalationTo : recipientsFor(view, config.reminderRoutes, config.defaultRecipients);
    candidates.push({ ...view, entry, record, recipients });
  }

  // 2. One digest per recipient and kind, leaving out whoever already has a lead (an earlier, interrupted run).
  const digests: { kind: FollowUpKind; recipient: string; items: Candidate[] }[] = [];
  const groups: [FollowUpKind, Map<string, Candidate[]>][] = [
    [
      'remind',
      groupByRecipient(
        candidates.filter((c) => c.entry.kind === 'remind'),
        config.reminderRoutes,
        config.defaultRecipients,
      ),
    ],
    // Escalations ignore offer routes: every one goes to the escalation address(es).
    [
      'escalate',
      groupByRecipient(
        candidates.filter((c) => c.entry.kind === 'escalate'),
        new Map(),
        escalationTo,
      ),
    ],
  ];
  for (const [kind, byRecipient] of groups) {
    for (const [recipient, items] of byRecipient) {
      const pending = items.filter((c) => !hasAddress(c.entry.sentTo, recipient));
      if (pending.length > 0) digests.push({ kind, recipient, items: pending });
    }
  }

  // 3. Send, marking each entry for a recipient only once the server accepted that recipient's digest.
  let leaseLost = false;
  for (const [index, digest] of digests.entries()) {
    const label = `Digest ${index + 1}/${digests.length} (${digest.kind}, ${digest.items.length} lead(s): ${digest.items.map((c) => c.entry.leadId).join(', ')})`;
    const result: DigestResult = {
      kind: digest.kind,
      recipient: digest.recipient,
      leadIds: digest.items.map((c) => c.entry.leadId),
      outcome: 'notSent',
    };
    summary.digests.push(result);
    if (leaseLost || !(await lease.renew(clock()))) {
      if (!leaseLost)
        log.error(
          'The reminder lease was lost (this run outlived it and another run took over); stopping before the next email',
        );
      leaseLost = true;
      continue;
    }
    const leads: DigestLead[] = [];
    for (const c of digest.items) leads.push(toDigestLead(c, await eventsOf(c.entry.leadId), now, config));
    const rendered = renderDigest(leads, now, {
      escalation: digest.kind === 'escalate',
      escalateAfterHours: config.escalateAfterHours,
    });
    try {
      const sent = await mailer.send({ to: [digest.recipient], ...rendered });
      if (!hasAddress(sent.accepted, digest.recipient)) throw new Error('the mail server did not accept the recipient');
    } catch (e) {
      result.outcome = 'failed';
      result.error = errorText(e);
      summary.failed++;
      log.error(`${label} was not accepted: ${result.error}. Nothing is marked; the leads stay due for the next run`);
      continue;
    }
    result.outcome = 'sent';
    summary.sent++;
    log.info(`${label} accepted by the mail server`);
    for (const c of digest.items) {
      try {
        const marked = await store.markFollowUpSent(c.entry, [digest.recipient]);
        if (marked === 'conflict') {
          // The entry changed or vanished under us (the lead was contacted meanwhile): nothing left to record.
          log.warn(
            `Lead ${c.entry.leadId}: ${c.entry.kind} entry changed during the run; its delivery was not recorded`,
          );
        }
      } catch (e) {
        // The one-repeat window: the mail went out but we could not record it, so the next run sends it again.
        log.error(
          `Lead ${c.entry.leadId}: could not record the accepted ${c.entry.kind} (${errorText(e)}); the next run may repeat it once`,
        );
      }
    }
  }

  // 4. Entries every recipient now has: a reminder event in the history, and the rebuild removes the entry.
  for (const c of candidates) {
    if (c.recipients.length === 0 || !c.recipients.every((r) => hasAddress(c.entry.sentTo, r))) {
      summary.pending++;
      continue;
    }
    try {
      await complete(deps, c, await eventsOf(c.entry.leadId), policy);
      summary.completed++;
    } catch (e) {
      summary.pending++;
      // The entry is still there with its sentTo, so the next run only completes it; it sends nothing again.
      log.error(
        `Lead ${c.entry.leadId}: could not record the ${c.entry.kind} in its history (${errorText(e)}); the next run completes it`,
      );
    }
  }
}

async function complete(deps: ReminderDeps, c: Candidate, history: LeadEvent[], policy: FollowUpPolicy): Promise<void> {
  const { store, clock, newId } = deps;
  const { entry, record } = c;
  // An earlier run may have appended the event and crashed before the rebuild: do not add a second one.
  const recorded = reminderSince(history, entry.kind) !== undefined;
  if (!recorded) {
    await store.appendEvent(entry.leadId, {
      kind: 'reminder',
      eventId: newId(),
      at: clock().toISOString(),
      reminder: entry.kind,
      recipients: [...entry.sentTo],
    });
  }
  // Delete before the rebuild, for the reason given where stale entries are dropped above.
  await store.deleteFollowUp(entry.kind, entry.leadId, entry.dueAt);
  await rebuildOrWarn(deps, record, policy);
}

/**
 * After an entry is gone, the rebuild brings the record (remindedAt, status) and the rest of its index in line.
 * If it fails, nothing is lost or sent twice: the history already holds every event, and the lead's next change
 * (a lead, a status, any rebuild) projects the record again.
 */
async function rebuildOrWarn(deps: ReminderDeps, record: LeadRecord, policy: FollowUpPolicy): Promise<void> {
  try {
    await rebuildLead(deps.store, identityOf(record), policy);
  } catch (e) {
    deps.log.warn(
      `Lead ${record.leadId}: its record could not be brought up to date (${errorText(e)}); its next change does that`,
    );
  }
}

function toDigestLead(c: Candidate, history: LeadEvent[], now: Date, config: ReminderSettings): DigestLead {
  const r = c.record;
  const expires = new Date(now.getTime() + config.contactLink.ttlDays * DAY_MS);
  const token = signContactToken(r.leadId, expires, config.contactLink.secret);
  return {
    leadId: r.leadId,
    stage: digestStage(r.stage),
    firstName: r.firstName,
    lastName: r.lastName,
    title: r.title,
    company: r.company,
    country: r.country,
    email: r.email,
    phone: r.phone,
    phoneE164: r.phoneE164,
    offerTitle: r.offerTitle,
    offerId: r.offerId,
    firstSeenAt: new Date(r.firstSeenAt),
    // The customer's marketplace actions; status and reminder events are ours, not the customer's.
    history: history.flatMap((e) =>
      e.kind === 'arrival' ? [{ at: new Date(e.at), source: e.source, action: e.action, stage: e.stage }] : [],
    ),
    contactUrl: contactLinkUrl(config.publicBaseUrl, r.leadId, token),
    escalation: c.entry.kind === 'escalate',
  };
}
