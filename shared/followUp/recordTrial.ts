/** A record's trial window, computed when read from its trial starts and the trial lengths configured now. */
import type { TrialSettings } from '../config/nurture';
import type { LeadRecord } from '../record/model';
import { DAY_MS } from '../time';
import type { RoutableLead } from './routing';
import { trialDaysFor, trialLabel, trialTimeLeft, type TrialWindow } from './trialWindow';

export type TrialRecord = RoutableLead & Pick<LeadRecord, 'freeTrialStartedAt' | 'testDriveStartedAt'>;

/** Of the record's free trial and test drive, the window that ends last (as trialWindow.ts chooses). */
export function recordTrialWindow(record: TrialRecord, settings: TrialSettings): TrialWindow | undefined {
  const offer = { publisherId: record.publisherId, offerId: record.offerId, offerTitle: record.offerTitle };
  let best: TrialWindow | undefined;
  for (const [kind, startedAt] of [
    ['freeTrial', record.freeTrialStartedAt],
    ['testDrive', record.testDriveStartedAt],
  ] as const) {
    if (startedAt === undefined) continue;
    const endsAt = new Date(Date.parse(startedAt) + trialDaysFor(offer, kind, settings) * DAY_MS).toISOString();
    if (best === undefined || endsAt > best.endsAt) best = { kind, startedAt, endsAt };
  }
  return best;
}

/** What lists and mails show of a trial: its window, label and time left. */
export interface TrialView extends TrialWindow {
  label: string;
  leftMs: number;
}

export function trialView(record: TrialRecord, settings: TrialSettings, now: Date): TrialView | undefined {
  const window = recordTrialWindow(record, settings);
  return window === undefined
    ? undefined
    : { ...window, label: trialLabel(window, now), leftMs: trialTimeLeft(window, now) };
}
