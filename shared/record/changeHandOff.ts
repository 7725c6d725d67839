/**
 * A change of a record outside processing (the API, the contact link, a reminder run, an erasure) owes the CRM a
 * hand-off of its new version, as every change does: the save stores it as an intent in the same transaction as the
 * change (followUp/saveEffects.ts changeEffects), and the caller hands it to its queue afterwards with this.
 *
 * These changes have no redelivery to fall back on: when the queue cannot take the message, the change stands, its
 * intent stays in the partition, and the problem is returned so the caller can log it. The lead's next change (or a
 * repeated erasure) finds that intent still in the partition and queues it again with its own (docs/crm.md).
 */
import { handOver, type IntentQueues, intentRowKey } from './intents';
import type { LeadEvent, LeadRecord } from './model';
import { type FollowUpPolicy, type LeadIdentity, type Rebuilt, recordEvent, type SaveEffects } from './rebuild';
import type { RecordStore } from './recordStore';

/** What a change needs to hand off its new version; both undefined while WEBHOOK_URL is not set. */
export interface ChangeHandOff {
  /** What the save owes beyond its own event (saveEffects.ts changeEffects). */
  effects?: SaveEffects;
  queues?: IntentQueues;
}

/** `handOverProblem`: why the change's hand-off could not be queued; absent when it was, so results spread it. */
export type HandOverReport = { handOverProblem?: string };

/**
 * Puts the intents this save stored on their queues, and every hand-off intent of an earlier save still in the
 * partition (`pending`): one whose queueing failed, or whose writer crashed before queueing it. Queueing one again
 * that is already on the queue is harmless: the deliverer skips a version once delivered and forgets its row. This
 * never forgets others' rows itself (their deliverer does, once it took the message), and leaves pending alerts to
 * processing's redelivery. Returns why a message could not be queued, if one could not.
 */
export async function handOverChange(
  queues: IntentQueues | undefined,
  saved: Pick<Rebuilt, 'intents' | 'pending'>,
): Promise<HandOverReport> {
  const own = saved.intents ?? [];
  const ownRows = new Set(own.map(intentRowKey));
  // Older versions first: the receiver then sees them in order, and none is skipped for a newer one.
  const earlier = (saved.pending ?? []).filter((p) => p.intent.kind === 'handOff' && !ownRows.has(p.rowKey));
  try {
    for (const { intent } of earlier) await handOver(queues ?? {}, intent);
    for (const intent of own) await handOver(queues ?? {}, intent);
    return {};
  } catch (e) {
    return { handOverProblem: e instanceof Error ? e.message : String(e) };
  }
}

/** A change's event stored with what it owes, and its hand-off queued. */
export interface RecordedChange {
  record: LeadRecord | undefined;
  handOver: HandOverReport;
}

/** Stores `event` with the hand-off it owes (recordEvent, `effects`), then queues that (handOverChange). */
export async function recordChange(
  deps: { store: RecordStore; policy: FollowUpPolicy } & ChangeHandOff,
  identity: LeadIdentity,
  event: LeadEvent,
): Promise<RecordedChange> {
  const saved = await recordEvent(deps.store, identity, event, deps.policy, deps.effects);
  return { record: saved.record, handOver: await handOverChange(deps.queues, saved) };
}

/**
 * Logs why a change's hand-off could not be queued, if it could not. `of` names the change ("reminder": "the CRM
 * hand-off of its reminder"); `until` what queues it again (by default the lead's next change).
 */
export function warnIfHandOffWaits(
  warn: (line: string) => void,
  leadId: string,
  report: HandOverReport,
  { of, until = 'its next change' }: { of?: string; until?: string } = {},
): void {
  if (report.handOverProblem === undefined) return;
  const change = of === undefined ? '' : ` of its ${of}`;
  warn(`Lead ${leadId}: the CRM hand-off${change} waits for ${until} (${report.handOverProblem})`);
}
