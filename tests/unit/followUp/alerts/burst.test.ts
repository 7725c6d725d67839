import fc from 'fast-check';

import {
  admitAlert,
  type BurstDecision,
  burstRule,
  type BurstState,
  digestSent,
  digestStep,
  EMPTY_BURST,
} from '../../../../shared/followUp/alerts/burst';

const T0 = Date.parse('2024-05-03T12:00:00Z');
const S = 1000;
const RULE = burstRule(5);

interface Message {
  at: number;
  alertIds: string[];
  digest: boolean;
}

/**
 * One recipient over time with a fixed clock: alerts admitted at their times, each digest delivered when it falls
 * due (as the scheduled queue message would), in time order. Returns what the recipient receives.
 */
function simulate(arrivals: readonly number[], rule = RULE): { messages: Message[]; state: BurstState } {
  let state = EMPTY_BURST;
  const messages: Message[] = [];
  const schedules: { at: number; digestId: string }[] = [];
  const flushUpTo = (time: number): void => {
    for (;;) {
      schedules.sort((a, b) => a.at - b.at);
      const next = schedules[0];
      if (next === undefined || next.at > time) return;
      schedules.shift();
      const step = digestStep(state, next.digestId, next.at);
      if (step.kind === 'notYet') schedules.push({ at: step.dueAt, digestId: next.digestId });
      if (step.kind !== 'send') continue;
      messages.push({ at: next.at, alertIds: step.digest.alertIds, digest: true });
      state = digestSent(step.state, step.digest.digestId);
    }
  };
  arrivals.forEach((at, i) => {
    flushUpTo(at);
    const admitted = admitAlert(state, `alert-${i}`, at, rule);
    state = admitted.state;
    const d = admitted.decision;
    if (d.kind === 'alone') messages.push({ at, alertIds: [`alert-${i}`], digest: false });
    if (d.kind === 'held' && d.opener) schedules.push({ at: d.dueAt, digestId: d.digestId });
  });
  flushUpTo(Number.MAX_SAFE_INTEGER);
  return { messages, state };
}

describe('burst folding with a fixed clock (ALERT_BURST = 5)', () => {
  test('five alerts within a minute each go alone, at once', () => {
    const arrivals = [0, 10, 20, 30, 40].map((s) => T0 + s * S);
    const { messages } = simulate(arrivals);
    expect(messages).toEqual(arrivals.map((at, i) => ({ at, alertIds: [`alert-${i}`], digest: false })));
  });

  test('the sixth within a minute is held, and what follows joins it until the digest is due 30 s later', () => {
    const arrivals = [0, 1, 2, 3, 4, 10, 20, 39].map((s) => T0 + s * S);
    const { messages } = simulate(arrivals);
    expect(messages.filter((m) => !m.digest)).toHaveLength(5);
    expect(messages.filter((m) => m.digest)).toEqual([
      { at: T0 + 40 * S, alertIds: ['alert-5', 'alert-6', 'alert-7'], digest: true },
    ]);
  });

  test('an alert exactly a minute after the first no longer counts it: alone again', () => {
    const arrivals = [0, 1, 2, 3, 4, 60].map((s) => T0 + s * S);
    expect(simulate(arrivals).messages.every((m) => !m.digest)).toBe(true);
    const justInside = [0, 1, 2, 3, 4, 59.999].map((s) => T0 + s * S);
    expect(simulate(justInside).messages.filter((m) => m.digest)).toHaveLength(1);
  });

  test('after a burst, a quiet minute brings alerts back to one by one', () => {
    const arrivals = [0, 1, 2, 3, 4, 5, 6, 120].map((s) => T0 + s * S);
    const { messages } = simulate(arrivals);
    expect(messages.map((m) => (m.digest ? `digest ${m.alertIds.length}` : 'alone'))).toEqual([
      'alone',
      'alone',
      'alone',
      'alone',
      'alone',
      'digest 2',
      'alone',
    ]);
  });

  test('an alert arriving after a digest was sealed opens the next digest, never joins a sent one', () => {
    let state = EMPTY_BURST;
    for (let i = 0; i < 6; i++) state = admitAlert(state, `a${i}`, T0 + i * S, RULE).state;
    const step = digestStep(state, 'a5', T0 + 35 * S);
    if (step.kind !== 'send') throw new Error(`expected the digest to be due, got ${step.kind}`);
    // Sealed and stored; while its message is being sent another alert comes.
    const late = admitAlert(step.state, 'a6', T0 + 36 * S, RULE);
    expect(late.decision).toEqual({ kind: 'held', digestId: 'a6', dueAt: T0 + 66 * S, opener: true });
    expect(step.digest.alertIds).toEqual(['a5']);
    const after = digestSent(late.state, 'a5');
    expect(after.sealed).toEqual([]);
    expect(after.open?.alertIds).toEqual(['a6']);
  });

  test('300 alerts at 10 per second for 30 s (the benchmark load): 5 alone, then one digest of the other 295', () => {
    const arrivals = Array.from({ length: 300 }, (_, i) => T0 + i * 100);
    const { messages } = simulate(arrivals);
    expect(messages.filter((m) => !m.digest)).toHaveLength(5);
    const digests = messages.filter((m) => m.digest);
    expect(digests.map((d) => d.alertIds.length)).toEqual([295]);
    // Held from 0.5 s: due 30 s later, within the minute every alert is promised.
    expect(digests[0]?.at).toBe(T0 + 500 + 30 * S);
  });

  test('a long burst gets a digest every 30 s, not one per alert', () => {
    const arrivals = Array.from({ length: 1200 }, (_, i) => T0 + i * 100); // 2 minutes at 10/s
    const digests = simulate(arrivals).messages.filter((m) => m.digest);
    expect(digests.length).toBe(4);
    expect(digests.slice(1).every((d, i) => d.at - (digests[i]?.at ?? 0) >= 30 * S)).toBe(true);
  });

  test('a digest is not sent before it is due, and a second schedule of a sent digest finds nothing', () => {
    let state = EMPTY_BURST;
    for (let i = 0; i < 6; i++) state = admitAlert(state, `a${i}`, T0 + i * S, RULE).state;
    expect(digestStep(state, 'a5', T0 + 34 * S)).toEqual({ kind: 'notYet', dueAt: T0 + 35 * S });
    const step = digestStep(state, 'a5', T0 + 35 * S);
    if (step.kind !== 'send') throw new Error('expected send');
    // The send failed or crashed before it was recorded: the next schedule sends the same digest again.
    expect(digestStep(step.state, 'a5', T0 + 40 * S)).toEqual(step);
    expect(digestStep(digestSent(step.state, 'a5'), 'a5', T0 + 41 * S)).toEqual({ kind: 'gone' });
  });

  test('recipients do not share a state: the state is per recipient, so one seller’s burst never holds another’s', () => {
    let busy = EMPTY_BURST;
    for (let i = 0; i < 6; i++) busy = admitAlert(busy, `b${i}`, T0 + i * S, RULE).state;
    expect(admitAlert(busy, 'b6', T0 + 7 * S, RULE).decision.kind).toBe('held');
    expect(admitAlert(EMPTY_BURST, 'q0', T0 + 7 * S, RULE).decision.kind).toBe('alone');
  });
});

describe('burst folding: a redelivered alert', () => {
  function admitAll(ids: string[]): BurstState {
    let state = EMPTY_BURST;
    ids.forEach((id, i) => (state = admitAlert(state, id, T0 + i * S, RULE).state));
    return state;
  }

  const FIVE_ALONE = ['a0', 'a1', 'a2', 'a3', 'a4'];
  const WITH_DIGEST = [...FIVE_ALONE, 'a5', 'a6'];

  test.each<[string, string[], string, BurstDecision]>([
    ['one that went alone goes alone again (its delivery was not recorded)', FIVE_ALONE, 'a0', { kind: 'alone' }],
    [
      'one held in the open digest stays there',
      WITH_DIGEST,
      'a5',
      { kind: 'held', digestId: 'a5', dueAt: T0 + 35 * S, opener: true },
    ],
    [
      'a joiner of the open digest stays there',
      WITH_DIGEST,
      'a6',
      { kind: 'held', digestId: 'a5', dueAt: T0 + 35 * S, opener: false },
    ],
  ])('%s, and the state is unchanged', (_what, admitted, id, decision) => {
    const state = admitAll(admitted);
    const again = admitAlert(state, id, T0 + 20 * S, RULE);
    expect(again.decision).toEqual(decision);
    expect(again.state).toBe(state);
  });

  test('the state remembers only the last N admissions: older alerts need their delivery recorded elsewhere', () => {
    const state = admitAll(WITH_DIGEST);
    expect(state.recent.map((r) => r.alertId)).toEqual(['a2', 'a3', 'a4', 'a5', 'a6']);
    expect(admitAlert(state, 'a0', T0 + 20 * S, RULE).state).not.toBe(state);
  });

  test('one that went out in a digest already sent is reported sent', () => {
    const state = admitAll(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
    const step = digestStep(state, 'a5', T0 + 40 * S);
    if (step.kind !== 'send') throw new Error('expected send');
    const sent = digestSent(step.state, 'a5');
    expect(admitAlert(sent, 'a5', T0 + 41 * S, RULE).decision).toEqual({ kind: 'sent', digestId: 'a5' });
  });
});

describe('burst folding: properties over any arrival pattern', () => {
  const arrivalsArb = fc
    .array(fc.integer({ min: 0, max: 5 * 60 * S }), { minLength: 1, maxLength: 120 })
    .map((offsets) => offsets.sort((a, b) => a - b).map((o) => T0 + o));

  test('every alert is delivered exactly once, held ones within 30 s, at most N alone in any minute', () => {
    fc.assert(
      fc.property(arrivalsArb, fc.integer({ min: 1, max: 8 }), (arrivals, limit) => {
        const rule = burstRule(limit);
        const { messages, state } = simulate(arrivals, rule);
        const delivered = messages.flatMap((m) => m.alertIds).sort();
        expect(delivered).toEqual(arrivals.map((_, i) => `alert-${i}`).sort());
        expect(state.open).toBeUndefined();
        expect(state.sealed).toEqual([]);
        for (const m of messages.filter((x) => x.digest)) {
          for (const id of m.alertIds) {
            const arrived = arrivals[Number(id.slice('alert-'.length))] ?? Number.NaN;
            expect(m.at - arrived).toBeLessThanOrEqual(rule.holdMs);
          }
        }
        const alone = messages.filter((m) => !m.digest).map((m) => m.at);
        for (const t of alone)
          expect(alone.filter((u) => u > t - rule.windowMs && u <= t).length).toBeLessThanOrEqual(limit);
        const digestTimes = messages.filter((m) => m.digest).map((m) => m.at);
        for (let i = 1; i < digestTimes.length; i++) {
          expect((digestTimes[i] ?? 0) - (digestTimes[i - 1] ?? 0)).toBeGreaterThanOrEqual(rule.holdMs);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('ALERT_BURST below 1 or not whole is refused', () => {
    expect(() => burstRule(0)).toThrow(/ALERT_BURST/);
    expect(() => burstRule(2.5)).toThrow(/ALERT_BURST/);
  });
});
