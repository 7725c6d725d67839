/**
 * The storage calls processing makes for each case of docs/storage.md's budgets, counted on the wire by the clients'
 * call-count policy (shared/storage/callCount.ts): a customer's first lead, a lead merged into the record, and the
 * first lead's message delivered again. Used by the budgets test and by `npm run bench -- process`.
 */
import { newUlid } from '../../shared/ids';
import { createEnvelope } from '../../shared/queue/envelope';
import { recordLead } from '../../shared/record/recordLead';
import type { RecordStore } from '../../shared/record/recordStore';
import { type CallCounts, startCallCount, stopCallCount, totalCalls } from '../../shared/storage/callCount';
import type { Telemetry } from '../../shared/telemetry';
import { leadWith } from './leadFixtures';

const telemetry: Telemetry = { event: () => undefined, metric: () => undefined, flush: () => Promise.resolve() };
const policy = { followUpHours: 24, escalateAfterHours: 48 };

/** The budgets docs/storage.md states, not counting the queue's own receive and delete. */
export const CALL_BUDGETS = { first: 5, merge: 6, redelivery: 3 } as const;

export type LeadCase = keyof typeof CALL_BUDGETS;

function message(email: string, firstName: string): string {
  return JSON.stringify(
    createEnvelope(newUlid(), new Date(), leadWith({ email, offer: 'contoso.calls', firstName }), { queryKeys: [] }),
  );
}

async function counted(store: RecordStore, message: string): Promise<CallCounts> {
  const counts = startCallCount();
  try {
    const outcome = await recordLead(message, 'message', {
      store,
      clock: () => new Date(),
      telemetry,
      policy,
      log: () => undefined,
    });
    if (outcome.kind !== 'stored') throw new Error(`expected the lead stored, got ${outcome.kind}`);
  } finally {
    // Stopped even when recording throws, so a failure cannot leave counting on.
    stopCallCount();
  }
  return counts;
}

/** Counts each case for a new customer of `store` (whose tables exist already: they are created once per process). */
export async function leadCallCounts(store: RecordStore): Promise<Record<LeadCase, CallCounts>> {
  const email = `budget-${newUlid().toLowerCase()}@contoso.example`;
  const first = message(email, 'First');
  return {
    first: await counted(store, first),
    merge: await counted(store, message(email, 'Second')),
    redelivery: await counted(store, first),
  };
}

/** `POST LeadKeys ×1, …  = 5 (budget 5)` */
export function describeCalls(counts: CallCounts, budget: number): string {
  const parts = [...counts.entries()].map(([op, n]) => `${op} ×${n}`).join(', ');
  return `${parts} = ${totalCalls(counts)} (budget ${budget})`;
}
