/**
 * One reminder run: every lead that fell due and is still uncontacted reaches its salespeople in one digest per
 * recipient, and an escalation goes to the escalation address; each exactly once under faults, with one documented
 * repeat window (docs/reminders.md, "Exactly once"). Work is proportional to what is due: only due follow-up entries
 * and their leads are read. Phases (run/): collect due → plan digests → send → complete.
 */
import type { Clock } from '../clock';
import type { AppConfig } from '../config';
import type { Mailer } from '../mail/mailer';
import type { ChangeHandOff } from '../record/changeHandOff';
import type { FollowUpKind } from '../record/keys';
import type { FollowUpPolicy } from '../record/rebuild';
import type { RecordStore } from '../record/recordStore';
import { MINUTE_MS } from '../time';
import { collectDue } from './run/collectDue';
import { completeEntries } from './run/completeEntries';
import { planDigests } from './run/planDigests';
import { runReads } from './run/runReads';
import { sendDigests } from './run/sendDigests';
import { acquireRunLease, type LockTable } from './runLease';

export type ReminderSettings = Pick<
  AppConfig,
  | 'followUpHours'
  | 'escalateAfterHours'
  | 'reminderRoutes'
  | 'defaultRecipients'
  | 'escalationEmail'
  | 'contactLink'
  | 'publicBaseUrl'
> &
  /** The nurture cadence and trial lengths; absent: their defaults (config/nurture.ts). */
  Partial<Pick<AppConfig, 'cadenceDays' | 'offerTrialDays' | 'defaultTrialDays'>>;

/** Lines for the function log. Callers pass ids and counts only; no names, addresses or phone numbers. */
export interface ReminderLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** `effects` and `queues`: the CRM hand-off each reminder event owes, as every change of a record does. */
export interface ReminderDeps extends ChangeHandOff {
  store: RecordStore;
  /** The Locks table, where the run's lease lives. */
  locks: LockTable;
  mailer: Mailer;
  clock: Clock;
  newId: () => string;
  config: ReminderSettings;
  log: ReminderLog;
  /** How long a crashed run can block the next; longer than one digest can take (SMTP timeouts are ≤ 40 s). */
  leaseTtlMs?: number;
}

export const LEASE_NAME = 'sendReminders';
export const DEFAULT_LEASE_TTL_MS = 10 * MINUTE_MS;

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
  /**
   * Entries dropped without mail: contacted meanwhile, do-not-contact, test, unrecognised, gone, escalation off; and
   * stale ones, moved to their due time under the current follow-up hours.
   */
  skipped: number;
  /** Entries finished this run (every recipient has it; the lead now carries a reminder event). */
  completed: number;
  /** Entries left for the next run (a recipient's server refused, or the lease was lost). */
  pending: number;
  sent: number;
  failed: number;
  digests: DigestResult[];
}

const NOTHING_DONE = { due: 0, skipped: 0, completed: 0, pending: 0, sent: 0, failed: 0, digests: [] };

export async function runReminders(deps: ReminderDeps, options: { isPastDue: boolean }): Promise<ReminderRunSummary> {
  const { store, clock, config, log } = deps;
  const policy: FollowUpPolicy = {
    followUpHours: config.followUpHours,
    escalateAfterHours: config.escalateAfterHours,
    cadenceDays: config.cadenceDays,
  };
  const now = clock();
  log.info(
    options.isPastDue
      ? 'Reminder run started (isPastDue: the schedule fell behind; everything that fell due meanwhile is sent now)'
      : 'Reminder run started (isPastDue: false)',
  );

  const attempt = await acquireRunLease(deps.locks, LEASE_NAME, {
    owner: deps.newId(),
    now,
    ttlMs: deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
  });
  if (!attempt.acquired) {
    const until = attempt.heldUntil ? ` until ${attempt.heldUntil.toISOString()}` : '';
    log.warn(`Another reminder run holds the lease${until}; this run sends nothing (the holder sends what is due)`);
    return { ...NOTHING_DONE, isPastDue: options.isPastDue, lease: 'held' };
  }
  const lease = attempt.lease;
  let summary: ReminderRunSummary;
  try {
    const reads = runReads(store);
    const due = await collectDue(deps, reads, now, policy);
    const digests = await sendDigests(deps, reads, lease, planDigests(due.candidates, config), now);
    const completion = await completeEntries(deps, reads, due.candidates, policy);
    summary = {
      isPastDue: options.isPastDue,
      lease: 'acquired',
      due: due.due,
      skipped: due.skipped,
      ...completion,
      pending: completion.pending + due.waiting,
      sent: digests.filter((d) => d.outcome === 'sent').length,
      failed: digests.filter((d) => d.outcome === 'failed').length,
      digests,
    };
  } finally {
    await lease.release();
  }
  log.info(
    `Reminder run done: ${summary.due} due, ${summary.sent} digest(s) sent, ${summary.failed} failed, ` +
      `${summary.completed} lead reminder(s) completed, ${summary.skipped} skipped, ${summary.pending} left for the next run`,
  );
  return summary;
}
