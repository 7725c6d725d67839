/** `GET /api/leads/{id}`: the record and its whole history; the raw payloads only when asked for. */
import type { TrialSettings } from '../config/nurture';
import { bad, ok, type Parsed } from '../http/problems';
import { type AccountView, accountView } from '../record/accountIndex';
import { type ContactAttempt, contactAttempts } from '../record/attempts';
import type { RecordStore } from '../record/recordStore';
import { type QueryParams, unknownParameter } from './leadQuery';
import { type EventView, historyView, type LeadView, leadView } from './leadView';
import { type NurtureView, nurtureView } from './nurtureView';

export interface LeadDetail {
  lead: LeadView;
  history: EventView[];
  /** The account the lead's person belongs to, its people and offers (accountIndex.ts); absent when none. */
  account?: AccountView;
  /** Every contact attempt, amendments folded in (attempts.ts). */
  attempts: ContactAttempt[];
  nurture: NurtureView;
}

export function parseDetailQuery(query: QueryParams): Parsed<{ raw: boolean }> {
  const unknown = unknownParameter(query, ['raw']);
  if (unknown) return { ok: false, problem: unknown };
  const raw = query.getAll('raw')[0]?.toLowerCase();
  if (raw === undefined || raw === 'false' || raw === '0') return ok({ raw: false });
  if (raw === 'true' || raw === '1') return ok({ raw: true });
  return bad('raw', 'enum', `is "${raw.slice(0, 20)}"`, ['true', 'false']);
}

export async function leadDetail(
  store: RecordStore,
  leadId: string,
  raw: boolean,
  nurture: { trials: TrialSettings; now: Date },
): Promise<LeadDetail | undefined> {
  const stored = await store.getRecord(leadId);
  if (!stored) return undefined;
  const events = await store.listEvents(leadId);
  const account = await accountView(store, stored.record);
  return {
    lead: leadView(stored.record),
    history: historyView(events, raw),
    attempts: contactAttempts(events),
    nurture: nurtureView(stored.record, nurture.trials, nurture.now),
    ...(account ? { account } : {}),
  };
}
