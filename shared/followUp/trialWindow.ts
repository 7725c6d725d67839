/**
 * Trial urgency: a free trial or test drive lead is worth most while the trial still runs, so digests, alerts and
 * the dashboard sort and label such leads by the time left. A trial window starts when the trial lead arrived and
 * lasts the offer's trial length (OFFER_TRIAL_DAYS, keyed like REMINDER_ROUTES; else 30 days for a free trial and
 * 1 day for a test drive). Microsoft does not send when a trial ends, so this is the publisher's own figure.
 */
import type { TrialDays, TrialSettings } from '../config/nurture';
import type { LeadArrivalEvent } from '../record/model';
import { DAY_MS } from '../time';
import { offerSettingKeys, type RoutableLead } from './routing';

export type TrialKind = keyof TrialDays;

export interface TrialWindow {
  kind: TrialKind;
  startedAt: string;
  endsAt: string;
}

/**
 * A free trial is the `Trial` action; a test drive is `StartTestDrive`, or a lead from the (2018) TestDrive source
 * whose action was not recognised (stage.ts counts that as a trial too). Other leads start no trial.
 */
export function trialKindOf(arrival: Pick<LeadArrivalEvent, 'action' | 'source'>): TrialKind | undefined {
  if (arrival.action === 'Trial') return 'freeTrial';
  if (arrival.action === 'StartTestDrive') return 'testDrive';
  if (arrival.action === 'Unknown' && arrival.source === 'TestDrive') return 'testDrive';
  return undefined;
}

/** The offer's trial length for this kind: the first offer key (as routes are matched) that sets it, else the default. */
export function trialDaysFor(offer: RoutableLead, kind: TrialKind, settings: TrialSettings): number {
  for (const key of offerSettingKeys(offer)) {
    const days = settings.offerTrialDays.get(key)?.[kind];
    if (days !== undefined) return days;
  }
  return settings.defaultTrialDays[kind];
}

/**
 * The record's trial window: of its trial leads (arrivals without repeats), the window that ends last, so a test
 * drive taken during a running free trial does not hide the trial. Undefined when no lead started a trial.
 */
export function trialWindow(
  arrivals: readonly Pick<LeadArrivalEvent, 'action' | 'source' | 'at'>[],
  offer: RoutableLead,
  settings: TrialSettings,
): TrialWindow | undefined {
  let best: TrialWindow | undefined;
  for (const arrival of arrivals) {
    const kind = trialKindOf(arrival);
    if (kind === undefined) continue;
    const start = Date.parse(arrival.at);
    const endsAt = new Date(start + trialDaysFor(offer, kind, settings) * DAY_MS).toISOString();
    if (best === undefined || endsAt > best.endsAt) best = { kind, startedAt: arrival.at, endsAt };
  }
  return best;
}

/** Milliseconds until the window ends; negative once it has. */
export function trialTimeLeft(window: TrialWindow, now: Date): number {
  return Date.parse(window.endsAt) - now.getTime();
}

const NOUN: Record<TrialKind, string> = { freeTrial: 'trial', testDrive: 'test drive' };

const days = (n: number): string => (n === 1 ? '1 day' : `${n} days`);

/**
 * How people read the time left, in whole days (what is left of a day does not count): "trial ends in 2 days",
 * "test drive ends today", "trial ended 3 days ago", "trial ended today".
 */
export function trialLabel(window: TrialWindow, now: Date): string {
  const left = trialTimeLeft(window, now);
  const noun = NOUN[window.kind];
  if (left > 0) {
    const whole = Math.floor(left / DAY_MS);
    return whole === 0 ? `${noun} ends today` : `${noun} ends in ${days(whole)}`;
  }
  const ago = Math.floor(-left / DAY_MS);
  return ago === 0 ? `${noun} ended today` : `${noun} ended ${days(ago)} ago`;
}

/**
 * Order for lists where trial urgency leads: running trials first, ending soonest first; then ended trials, most
 * recently ended first; then leads without a trial. Ties are 0, so a stable sort keeps the list's own order (value,
 * age) within them.
 */
export function byTrialUrgency(now: Date): (a: { trial?: TrialWindow }, b: { trial?: TrialWindow }) => number {
  const rank = (t: TrialWindow | undefined): [number, number] => {
    if (t === undefined) return [2, 0];
    const left = trialTimeLeft(t, now);
    return left > 0 ? [0, left] : [1, -left];
  };
  return (a, b) => {
    const [ra, ka] = rank(a.trial);
    const [rb, kb] = rank(b.trial);
    return ra - rb || ka - kb;
  };
}
