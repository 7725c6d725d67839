/**
 * Runs several writers against one real store with the test, not the event loop, choosing the order of their
 * storage calls. Each writer gets the same store behind a gate: a call waits until the scheduler lets that writer
 * go, and only one writer runs at a time between gates, so every call completes before the next one starts. A
 * sequence of choices is one interleaving of the writers' calls, replayable and shrinkable by a property test.
 */
import type { RecordStore } from '../../shared/record/recordStore';

// The calls processing makes; each is one storage operation (or one read of a small partition).
const GATED = [
  'resolveLeadId',
  'readLead',
  'commitLead',
  'noteChange',
  'appendEvent',
  'listEvents',
  'getRecord',
  'saveRecord',
  'putFollowUp',
  'followUpEtag',
  'deleteFollowUp',
  'setFollowUpDue',
] as const satisfies readonly (keyof RecordStore)[];

export interface Interleaving {
  /** Storage calls made, in the order they ran, as `writer:method`. */
  trace: string[];
}

/**
 * Starts every writer, then repeatedly lets one waiting writer make its next call: `pick(n)` chooses among the `n`
 * writers waiting (ordered by index). Resolves with each writer's outcome once all have finished.
 */
export async function interleave<T>(
  store: RecordStore,
  writers: readonly ((store: RecordStore) => Promise<T>)[],
  pick: (waiting: number) => number,
): Promise<{ results: PromiseSettledResult<T>[] } & Interleaving> {
  const waiting = new Map<number, () => void>();
  const running = new Set<number>();
  const trace: string[] = [];
  let wake: (() => void) | undefined;
  const changed = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const gated = (index: number): RecordStore => {
    const wrapped: Record<string, unknown> = {};
    const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of GATED) {
      wrapped[name] = async (...args: unknown[]): Promise<unknown> => {
        await new Promise<void>((release) => {
          waiting.set(index, release);
          running.delete(index);
          changed();
        });
        trace.push(`${index}:${name}`);
        return methods[name]!(...args);
      };
    }
    return Object.assign({}, store, wrapped);
  };

  const outcomes = writers.map((writer, index) => {
    running.add(index);
    return writer(gated(index)).finally(() => {
      running.delete(index);
      changed();
    });
  });

  for (;;) {
    while (running.size > 0) await new Promise<void>((r) => (wake = r));
    if (waiting.size === 0) break;
    const order = [...waiting.keys()].sort((a, b) => a - b);
    const chosen = order[pick(order.length) % order.length]!;
    const release = waiting.get(chosen)!;
    waiting.delete(chosen);
    running.add(chosen);
    release();
  }
  return { results: await Promise.allSettled(outcomes), trace };
}
