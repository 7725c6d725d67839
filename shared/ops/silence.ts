/**
 * The silence alarm: when no real lead has arrived for SILENCE_ALERT_DAYS while leads did arrive before, ops hear of
 * it once, and once more when leads come back. Microsoft never re-sends a lead and never says when delivery fails
 * (a rotated function key, a changed destination), so a long silence is the only sign of a broken destination.
 * Pure: the caller keeps the state and the clock.
 */
import { addressList } from '../followUp/run/addresses';

export const DEFAULT_SILENCE_ALERT_DAYS = 14;
const DAY_MS = 24 * 3_600_000;

/** The newest arrival of each kind. Test leads (Partner Center's Validate and publish) never end a silence. */
export interface LeadArrivals {
  lastRealLeadAt?: string;
  lastTestLeadAt?: string;
}

function later(a: string | undefined, b: string): string {
  return a === undefined || Date.parse(b) > Date.parse(a) ? b : a;
}

/** Folds one arrival in; arrivals may come in any order (retries, replays), the newest wins. */
export function observeArrival(arrivals: LeadArrivals, lead: { at: string; isTest: boolean }): LeadArrivals {
  if (!Number.isFinite(Date.parse(lead.at))) return arrivals;
  return lead.isTest
    ? { ...arrivals, lastTestLeadAt: later(arrivals.lastTestLeadAt, lead.at) }
    : { ...arrivals, lastRealLeadAt: later(arrivals.lastRealLeadAt, lead.at) };
}

/** What the alarm remembers between checks. */
export interface SilenceState {
  /** Set while an alarm is out: the last real lead before the silence, and when the alarm went. */
  alarm?: { lastLeadAt: string; sentAt: string };
}

export type SilenceDecision =
  | { action: 'none' }
  /** Send the alarm, then keep `next`. `silentSince` is the last real lead. */
  | { action: 'alarm'; silentSince: string; days: number; next: SilenceState }
  /** Send "leads are back", then keep `next`. `backAt` is the first real lead after the silence (or a later one). */
  | { action: 'back'; silentSince: string; backAt: string; next: SilenceState };

/**
 * One check. `days` is SILENCE_ALERT_DAYS; 0 (or less) turns the alarm off and leaves the state as it is. An alarm
 * goes out once per silence: while it is out, only a real lead newer than the silence's start changes anything,
 * and that ends it with one "back" note. No alarm before the first real lead: a new installation is not broken.
 */
export function decideSilence(arrivals: LeadArrivals, state: SilenceState, now: Date, days: number): SilenceDecision {
  if (!(days > 0) || arrivals.lastRealLeadAt === undefined) return { action: 'none' };
  const last = arrivals.lastRealLeadAt;
  if (state.alarm !== undefined) {
    if (Date.parse(last) > Date.parse(state.alarm.lastLeadAt)) {
      return { action: 'back', silentSince: state.alarm.lastLeadAt, backAt: last, next: {} };
    }
    return { action: 'none' };
  }
  if (now.getTime() - Date.parse(last) < days * DAY_MS) return { action: 'none' };
  return {
    action: 'alarm',
    silentSince: last,
    days,
    next: { alarm: { lastLeadAt: last, sentAt: now.toISOString() } },
  };
}

/**
 * Who hears of a silence: OPS_EMAIL, else ESCALATION_EMAIL, else the default reminder recipients. Both settings may
 * hold several addresses separated by commas or semicolons.
 */
export function silenceRecipients(settings: {
  opsEmail?: string;
  escalationEmail?: string;
  defaultRecipients: readonly string[];
}): string[] {
  const ops = addressList(settings.opsEmail);
  if (ops.length > 0) return ops;
  const escalation = addressList(settings.escalationEmail);
  if (escalation.length > 0) return escalation;
  return [...settings.defaultRecipients];
}
