import type { LeadActionKind } from '../../../shared/marketplace/leadSource';
import { parseLeadSource } from '../../../shared/marketplace/leadSource';
import {
  higherStage,
  isStage,
  type Stage,
  STAGE_RANK,
  stageForAction,
  stageForLead,
} from '../../../shared/marketplace/stage';

const ALL_STAGES: Stage[] = ['doNotContact', 'interest', 'trial', 'active'];

describe('stageForAction', () => {
  const cases: [LeadActionKind, Stage][] = [
    ['PLT', 'interest'],
    ['StartTestDrive', 'trial'],
    ['Trial', 'trial'],
    ['INS', 'active'],
    ['Create', 'active'],
    ['DNC', 'doNotContact'],
    ['Unknown', 'interest'],
  ];
  test.each(cases)('%s → %s', (action, stage) => {
    expect(stageForAction(action)).toBe(stage);
  });
});

describe('stageForLead', () => {
  const cases: [string | undefined, string | undefined, Stage][] = [
    ['AppSource (SPZA)-PLT|a.b', undefined, 'interest'],
    ['AzureMarketplace-StartTestDrive|a.b', undefined, 'trial'],
    ['TestDrive', undefined, 'trial'],
    ['TestDrive-INS|a.b', undefined, 'active'],
    ['AzureMarketplace', 'INS', 'active'],
    ['AzurePortal-Create|a.b', 'Create', 'active'],
    ['AppSource (SPZA)-DNC|a.b', undefined, 'doNotContact'],
    ['AzureMarketplace-Whatever|a.b', undefined, 'interest'],
    [undefined, undefined, 'interest'],
  ];
  test.each(cases)('%p + ActionCode %p → %s', (leadSource, actionCode, stage) => {
    expect(stageForLead(parseLeadSource(leadSource, actionCode, 'X'))).toBe(stage);
  });
});

describe('higherStage', () => {
  const cases: [Stage, Stage, Stage][] = [
    ['interest', 'trial', 'trial'],
    ['trial', 'active', 'active'],
    ['interest', 'active', 'active'],
    ['active', 'interest', 'active'], // a late "Contact me" does not demote an active customer
    ['active', 'trial', 'active'],
    ['trial', 'interest', 'trial'],
    ['doNotContact', 'doNotContact', 'doNotContact'], // DNC-only record
    ['doNotContact', 'interest', 'interest'], // a real lead on a DNC-only record
    ['doNotContact', 'trial', 'trial'],
    ['doNotContact', 'active', 'active'],
    ['interest', 'doNotContact', 'interest'], // DNC is informational: the real stage stays
    ['trial', 'doNotContact', 'trial'],
    ['active', 'doNotContact', 'active'],
  ];
  test.each(cases)('%s + %s → %s', (a, b, expected) => {
    expect(higherStage(a, b)).toBe(expected);
  });

  test('commutative and idempotent for every pair', () => {
    for (const a of ALL_STAGES) {
      expect(higherStage(a, a)).toBe(a);
      for (const b of ALL_STAGES) expect(higherStage(a, b)).toBe(higherStage(b, a));
    }
  });

  test('the documented journey ends active whatever order its leads arrive in', () => {
    const journey: Stage[] = ['interest', 'trial', 'active', 'doNotContact'];
    const orders = [journey, [...journey].reverse(), ['trial', 'doNotContact', 'active', 'interest'] as Stage[]];
    for (const order of orders) expect(order.reduce(higherStage)).toBe('active');
  });

  test('ranks: doNotContact < interest < trial < active', () => {
    expect([...ALL_STAGES].sort((a, b) => STAGE_RANK[a] - STAGE_RANK[b])).toEqual(ALL_STAGES);
  });
});

describe('isStage', () => {
  test.each([...ALL_STAGES])('%s is a stage', (s) => expect(isStage(s)).toBe(true));
  test.each(['', 'Active', 'toString', '__proto__', 'constructor', 1, null, undefined])('%p is not', (v) => {
    expect(isStage(v)).toBe(false);
  });
});
