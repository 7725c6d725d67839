/**
 * The queue trigger's `dequeueCount` (how often the queue has handed out the message, this time included), checked:
 * a count that is missing reads as the first try; anything else that is not a whole number of at least 1 is an
 * error naming it, rather than a NaN that would make every comparison with a try limit false.
 */
import { inspect } from 'node:util';

export function dequeueCountOf(value: unknown): number {
  if (value === undefined || value === null) return 1;
  const count = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1 || (typeof value === 'string' && value.trim() === ''))
    throw new Error(`The trigger's dequeueCount is ${inspect(value)}: expected a whole number of at least 1`);
  return count;
}
