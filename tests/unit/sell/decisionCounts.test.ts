import { shardToEntity } from '../../../shared/record/recordStore';
import { emptyShard } from '../../../shared/sell/counters';
import {
  countDecision,
  type DecisionCounts,
  emptyDecisions,
  SHARD_REASONS_LIMIT,
  sumDecisions,
} from '../../../shared/sell/decisionCounts';

const disqualified = (reason?: string) =>
  ({ status: 'disqualified', ...(reason === undefined ? {} : { disqualifyReason: reason }) }) as const;

// The longest reason DISQUALIFY_REASONS accepts (100 characters), each one escaped in JSON.
const widest = (n: number): string => `${String(n).padStart(3, '0')}${'"'.repeat(97)}`;

describe('decision counts', () => {
  test('qualified, disqualified by reason and without one; other statuses count nothing', () => {
    const counts = emptyDecisions();
    countDecision(counts, { status: 'qualified' }, 1);
    countDecision(counts, { status: 'contacted' }, 1);
    countDecision(counts, { status: 'new' }, 1);
    countDecision(counts, disqualified('No need'), 1);
    countDecision(counts, disqualified('No budget'), 1);
    countDecision(counts, disqualified('No budget'), 1);
    countDecision(counts, disqualified(), 1);
    expect(counts).toEqual({
      qualified: 1,
      disqualified: 4,
      withoutReason: 1,
      reasons: [
        ['No budget', 2],
        ['No need', 1],
      ],
    });
    countDecision(counts, disqualified('No need'), -1);
    countDecision(counts, disqualified(), -1);
    expect(counts).toEqual({ qualified: 1, disqualified: 2, withoutReason: 0, reasons: [['No budget', 2]] });
  });

  test(`a shard keeps ${SHARD_REASONS_LIMIT} reasons by name, counts the rest apart, and takes them back`, () => {
    const counts = emptyDecisions();
    for (let n = 0; n < SHARD_REASONS_LIMIT; n++) countDecision(counts, disqualified(widest(n)), 1);
    countDecision(counts, disqualified('One too many'), 1);
    countDecision(counts, disqualified(widest(0)), 1);
    expect(counts.reasons).toHaveLength(SHARD_REASONS_LIMIT);
    expect(counts.reasons[0]).toEqual([widest(0), 2]);
    expect(counts.otherReasons).toBe(1);
    countDecision(counts, disqualified('One too many'), -1);
    expect(counts.otherReasons).toBeUndefined();
    expect(counts.disqualified).toBe(SHARD_REASONS_LIMIT + 1);
  });

  test('a full shard fits a table property (32K UTF-16 units), whatever its reasons hold', () => {
    const decisions: DecisionCounts = emptyDecisions();
    for (let n = 0; n < SHARD_REASONS_LIMIT; n++)
      for (let k = 0; k < 3; k++) countDecision(decisions, disqualified(widest(n)), 1);
    decisions.withoutReason = 999_999;
    const entity = shardToEntity({
      partition: '202503',
      offerKey: 'pub.offer',
      seq: 1,
      shard: { ...emptyShard(), decisions },
    });
    expect(typeof entity.decisions).toBe('string');
    expect(String(entity.decisions).length).toBeLessThanOrEqual(32 * 1024);
  });

  test('summed over shards, reasons add up by name', () => {
    const a = emptyDecisions();
    const b = emptyDecisions();
    countDecision(a, disqualified('No budget'), 1);
    countDecision(b, disqualified('No budget'), 1);
    countDecision(b, disqualified('Bad timing'), 1);
    countDecision(b, { status: 'qualified' }, 1);
    b.otherReasons = 2;
    expect(sumDecisions([a, b])).toEqual({
      qualified: 1,
      disqualified: 3,
      withoutReason: 0,
      reasons: [
        ['Bad timing', 1],
        ['No budget', 2],
      ],
      otherReasons: 2,
    });
  });
});
