/**
 * What `GET /api/health` and the dashboard say about the flow of leads: when the last real and the last test lead
 * arrived, how many messages wait in the poison queue, how many were rejected, and the silence alarm. The endpoint
 * is anonymous, so the shape holds names and times only: every value is rebuilt here as an ISO time, a count, a
 * number of days or a flag, whatever the caller passed, so a record or an error cannot leak through it.
 */
import type { SilenceState } from './silence';

export interface LeadFlowHealth {
  lastRealLeadAt: string | null;
  /** Partner Center sends a test lead on Validate and on publish: a recent one shows the destination works. */
  lastTestLeadAt: string | null;
  /** Messages in `<queue>-poison` not yet kept in PoisonedLeads (null: storage could not be asked). */
  poisonQueueDepth: number | null;
  /** Messages kept in RejectedLeads (null: storage could not be asked). */
  rejectedLeads: number | null;
  silence: {
    /** SILENCE_ALERT_DAYS; 0 when the alarm is off. */
    alertAfterDays: number;
    alarmActive: boolean;
    /** The last real lead before the silence, while an alarm is out. */
    silentSince: string | null;
    alarmSentAt: string | null;
  };
}

export interface LeadFlowFacts {
  lastRealLeadAt?: unknown;
  lastTestLeadAt?: unknown;
  poisonQueueDepth?: unknown;
  rejectedLeads?: unknown;
  silenceAlertDays: unknown;
  silence?: SilenceState;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 time (or a Date) as a UTC ISO string; anything else is null. */
export function isoTime(value: unknown): string | null {
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string' && ISO_TIME.test(value)
        ? Date.parse(value)
        : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

export function leadFlowHealth(facts: LeadFlowFacts): LeadFlowHealth {
  const alarm = facts.silence?.alarm;
  return {
    lastRealLeadAt: isoTime(facts.lastRealLeadAt),
    lastTestLeadAt: isoTime(facts.lastTestLeadAt),
    poisonQueueDepth: count(facts.poisonQueueDepth),
    rejectedLeads: count(facts.rejectedLeads),
    silence: {
      alertAfterDays: count(facts.silenceAlertDays) ?? 0,
      alarmActive: alarm !== undefined,
      silentSince: isoTime(alarm?.lastLeadAt),
      alarmSentAt: isoTime(alarm?.sentAt),
    },
  };
}
