import { DEFAULT_SIMULATION, formatSimulation, simulateNurture } from '../../../bench/nurtureSimulation';

describe('a simulated month of the nurture cadence (npm run bench -- nurture)', () => {
  const result = simulateNurture(DEFAULT_SIMULATION);

  test('no reminder after a decision or a reply, none for do-not-contact or test leads, one a day at most', () => {
    expect(result.violations).toEqual({
      afterDecision: 0,
      afterReply: 0,
      toExcluded: 0,
      twiceInADay: 0,
      moreThanSteps: 0,
    });
  });

  test('the month exercises every path: full cadences, early stops, decisions, stalls and restarts', () => {
    expect(result.remindersPerLead).toHaveLength(100);
    expect(result.distribution[0]).toBeGreaterThan(0);
    expect(result.distribution[3]).toBeGreaterThan(0);
    expect(Object.keys(result.distribution).some((n) => Number(n) > 3)).toBe(true);
    expect(result.outcomes.decided).toBeGreaterThan(0);
    expect(result.outcomes.replied + result.outcomes.stalled).toBeGreaterThan(0);
    expect(result.outcomes.excluded).toBeGreaterThan(0);
    expect(result.restarts).toBeGreaterThan(0);
  });

  test('the invariants hold for other seeds too, with an hourly run', () => {
    for (const seed of [2, 3, 4]) {
      const other = simulateNurture({ ...DEFAULT_SIMULATION, seed, tickMinutes: 60 });
      expect(Object.values(other.violations)).toEqual([0, 0, 0, 0, 0]);
    }
  });

  test('the same seed gives the same month', () => {
    expect(simulateNurture(DEFAULT_SIMULATION)).toEqual(result);
    expect(formatSimulation(result)).toContain('100 leads, 30 days, cadence 2,5,10 days');
  });
});
