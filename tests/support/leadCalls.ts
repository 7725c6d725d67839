/**
 * The storage calls processing makes for each case of docs/storage.md's budgets, counted on the wire by the clients'
 * call-count policy (shared/storage/callCount.ts): a customer's first lead, a lead merged into the record, and the
 * first lead's message delivered again. Used by the budgets test and by `npm run bench -- process`.
 */
import { newUlid } from '../../shared/ids';
import { createEnvelope } from '../../shared/queue/envelope';
import type { IntentQueues } from '../../shared/record/intents';
import type { SaveEffects } from '../../shared/record/rebuild';
import { recordLead } from '../../shared/record/recordLead';
import type { RecordStore } from '../../shared/record/recordStore';
import { type CallCounts, startCallCount, stopCallCount, totalCalls } from '../../shared/storage/callCount';
import { leadWith, noTelemetry } from './leadFixtures';

const policy = { followUpHours: 24, escalateAfterHours: 48 };

/** The budgets docs/storage.md states, not counting the queue's own receive and delete. */
export const CALL_BUDGETS = { first: 5, merge: 6, redelivery: 3 } as const;

export type LeadCase = keyof typeof CALL_BUDGETS;

/**
 * With an alert (docs/storage.md): one enqueue more for an arrival that alerts its owner (a first lead, a lead
 * raising the stage), and for a person of an account (this one: contoso.example) one query of the account's people
 * for the alert's line. A redelivery hands over again every intent of the partition the deliverer has not taken
 * yet, each an enqueue and a delete: here the two alerts, 3 + 2 × 2.
 */
export const ALERTING_CALL_BUDGETS = { firstAlerting: 7, stageRaised: 8, redeliveryNotYetTaken: 7 } as const;

export type AlertingCase = keyof typeof ALERTING_CALL_BUDGETS;

/** What processing adds to a save, and where its intents go: for the alerting cases. */
export interface Alerting {
  effects: SaveEffects;
  queues: IntentQueues;
}

function message(email: string, firstName: string, action = 'INS'): string {
  return JSON.stringify(
    createEnvelope(newUlid(), new Date(), leadWith({ email, offer: 'contoso.calls', firstName, action }), {
      queryKeys: [],
    }),
  );
}

async function counted(store: RecordStore, message: string, alerting?: Alerting): Promise<CallCounts> {
  const counts = startCallCount();
  try {
    const outcome = await recordLead(message, 'message', {
      store,
      clock: () => new Date(),
      telemetry: noTelemetry,
      policy,
      log: () => undefined,
      ...alerting,
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

/**
 * Counts the alerting cases for a new customer: its first lead (interest), then a trial lead raising its stage, then
 * the first lead's message delivered again while its alert is still on the queue. The queues must exist already.
 */
export async function alertingCallCounts(
  store: RecordStore,
  alerting: Alerting,
): Promise<Record<AlertingCase, CallCounts>> {
  const email = `alerting-${newUlid().toLowerCase()}@contoso.example`;
  const first = message(email, 'First', 'PLT');
  return {
    firstAlerting: await counted(store, first, alerting),
    stageRaised: await counted(store, message(email, 'Second', 'Trial'), alerting),
    redeliveryNotYetTaken: await counted(store, first, alerting),
  };
}

/** `POST LeadKeys ×1, …  = 5 (budget 5)` */
export function describeCalls(counts: CallCounts, budget: number): string {
  const parts = [...counts.entries()].map(([op, n]) => `${op} ×${n}`).join(', ');
  return `${parts} = ${totalCalls(counts)} (budget ${budget})`;
}
