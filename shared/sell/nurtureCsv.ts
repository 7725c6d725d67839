/**
 * The export's columns about nurturing a lead: attempts, the decision's answers (one column per configured
 * criterion) and reason, the trial's end and whether the lead is stalled. The criteria and trial lengths are the
 * settings of the day, so these columns are built per export.
 */
import type { Criterion, TrialSettings } from '../config/nurture';
import { recordIsStalled } from '../followUp/cadence';
import { recordTrialWindow } from '../followUp/recordTrial';
import type { LeadRecord } from '../record/model';
import type { CsvColumn } from './csv';

export function nurtureColumns(
  criteria: readonly Criterion[],
  trials: TrialSettings,
  now: Date,
): CsvColumn<LeadRecord>[] {
  return [
    { header: 'Attempts', value: (r) => r.attemptCount ?? 0 },
    { header: 'Last attempt (UTC)', value: (r) => r.lastAttemptAt },
    { header: 'Last attempt channel', value: (r) => r.lastAttemptChannel },
    { header: 'Last attempt outcome', value: (r) => r.lastAttemptOutcome },
    ...criteria.map((c): CsvColumn<LeadRecord> => ({
      header: `Qualification: ${c.label}`,
      value: (r) => r.qualification?.[c.key]?.answer,
    })),
    { header: 'Disqualify reason', value: (r) => r.disqualifyReason },
    { header: 'Trial ends (UTC)', value: (r) => recordTrialWindow(r, trials)?.endsAt },
    { header: 'Stalled', value: (r) => recordIsStalled(r.cadence, now) },
  ];
}
