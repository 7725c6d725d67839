import { monotonicFactory } from 'ulid';

import {
  decideOwner,
  isOwnedBy,
  nextRotation,
  ownerAtRotation,
  type OwnerInputs,
  reminderRecipients,
  rotationKey,
  rotationOf,
} from '../../../shared/followUp/owners';
import { recipientsFor } from '../../../shared/followUp/routing';
import { hashKey } from '../../../shared/record/identity';

const routes = new Map<string, string[]>([
  ['contoso.widget', ['ann@contoso.com', 'bob@contoso.com', 'cid@contoso.com']],
  ['contoso.gadget', ['dee@contoso.com']],
]);
const defaults = ['sales@contoso.com'];
const known = ['ann@contoso.com', 'bob@contoso.com', 'cid@contoso.com', 'dee@contoso.com', 'sales@contoso.com'];
const widget = recipientsFor({ offerId: 'contoso.widget' }, routes, defaults);

function inputs(overrides: Partial<OwnerInputs>): OwnerInputs {
  return { recipients: widget, known, rotation: 0, ...overrides };
}

/** Deterministic PRNG (mulberry32) so the simulated ids are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lead ids as processing makes them: monotonic ULIDs, bursts within one millisecond, then minutes apart. */
function simulatedLeadIds(count: number): string[] {
  const next = monotonicFactory(seeded(42));
  const ids: string[] = [];
  let time = Date.parse('2025-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    if (i % 50 !== 0) time += 7 * 60_000;
    ids.push(next(time));
  }
  return ids;
}

const LEAD_IDS = simulatedLeadIds(10_000);

// Chi-square critical values at p = 0.001 for n - 1 degrees of freedom.
const CHI2_999: Readonly<Record<number, number>> = { 2: 10.83, 3: 13.82, 4: 16.27, 5: 18.47, 7: 22.46, 10: 27.88 };

describe('rotation', () => {
  test('a counter walks the route round-robin, in the order the settings list it', () => {
    const owners: string[] = [];
    for (let counter = 0, i = 0; i < 7; i++, counter = nextRotation(counter))
      owners.push(ownerAtRotation(widget, counter) ?? '');
    expect(owners).toEqual([
      'ann@contoso.com',
      'bob@contoso.com',
      'cid@contoso.com',
      'ann@contoso.com',
      'bob@contoso.com',
      'cid@contoso.com',
      'ann@contoso.com',
    ]);
  });

  test('the counter wraps before it loses precision; a route of nobody has no owner', () => {
    expect(nextRotation(Number.MAX_SAFE_INTEGER)).toBe(0);
    expect(ownerAtRotation([], 5)).toBeUndefined();
  });

  test('a position from a key is stable and a 32-bit unsigned integer', () => {
    const id = '01JNZ3C6Y0Q5ZK2W3X4Y5Z6A7B';
    expect(rotationOf(id)).toBe(rotationOf(id));
    expect(Number.isInteger(rotationOf(id))).toBe(true);
    expect(rotationOf(id)).toBeGreaterThanOrEqual(0);
    expect(rotationOf(id)).toBeLessThan(2 ** 32);
  });

  test.each(Object.keys(CHI2_999).map(Number))(
    'hashing 10,000 lead ids spreads them evenly over %i recipients',
    (n) => {
      const recipients = Array.from({ length: n }, (_, i) => `seller${i}@contoso.com`);
      const counts = new Map(recipients.map((r) => [r, 0]));
      for (const id of LEAD_IDS) {
        const owner = ownerAtRotation(recipients, rotationOf(rotationKey({ leadId: id }))) ?? '';
        counts.set(owner, (counts.get(owner) ?? 0) + 1);
      }
      const fair = 10_000 / n;
      const chi2 = [...counts.values()].reduce((sum, c) => sum + (c - fair) ** 2 / fair, 0);
      expect(chi2).toBeLessThan(CHI2_999[n] ?? 0);
      // Every seller within 7 % of a fair share (measured: at most 6.4 %, with 10 sellers).
      for (const c of counts.values()) expect(Math.abs(c - fair) / fair).toBeLessThan(0.07);
    },
  );

  test('the rotation key is the account, else the person, else the lead', () => {
    expect(rotationKey({ accountHash: 'A', personHash: 'P', leadId: 'L' })).toBe('account:A');
    expect(rotationKey({ personHash: 'P', leadId: 'L' })).toBe('person:P');
    expect(rotationKey({ leadId: 'L' })).toBe('lead:L');
  });

  test('two people of one account arriving at once get one owner, with no shared state', () => {
    const accountHash = hashKey('account\ndomain:fabrikam.com');
    const first = decideOwner(inputs({ rotation: rotationOf(rotationKey({ accountHash, leadId: 'LEAD1' })) }));
    const second = decideOwner(inputs({ rotation: rotationOf(rotationKey({ accountHash, leadId: 'LEAD2' })) }));
    expect(first).toEqual(second);
  });
});

describe('decideOwner', () => {
  test('a new customer of no account gets the rotation pick', () => {
    expect(decideOwner(inputs({ rotation: 4 }))).toEqual({
      action: 'assign',
      owner: 'bob@contoso.com',
      via: 'rotation',
      replaces: undefined,
    });
  });

  test('a customer keeps its owner, whatever the rotation says now', () => {
    const current = { owner: 'cid@contoso.com', via: 'rotation' as const };
    for (const rotation of [0, 1, 2])
      expect(decideOwner(inputs({ current, rotation }))).toEqual({ action: 'keep', owner: 'cid@contoso.com' });
  });

  test("a customer's record on another offer gets the customer's owner", () => {
    expect(decideOwner(inputs({ customerOwner: 'CID@contoso.com', accountOwner: 'ann@contoso.com' }))).toEqual({
      action: 'assign',
      owner: 'cid@contoso.com',
      via: 'customer',
      replaces: undefined,
    });
  });

  test("a new person of a known account gets the account's owner", () => {
    expect(decideOwner(inputs({ accountOwner: 'bob@contoso.com', rotation: 0 }))).toEqual({
      action: 'assign',
      owner: 'bob@contoso.com',
      via: 'account',
      replaces: undefined,
    });
  });

  test("the account's owner is not on this offer's route: the rotation picks", () => {
    const gadget = recipientsFor({ offerId: 'contoso.gadget' }, routes, defaults);
    expect(decideOwner(inputs({ recipients: gadget, accountOwner: 'bob@contoso.com' }))).toEqual({
      action: 'assign',
      owner: 'dee@contoso.com',
      via: 'rotation',
      replaces: undefined,
    });
  });

  test('an owner removed from the route hands over, naming whom it replaces', () => {
    const shorter = ['ann@contoso.com', 'cid@contoso.com'];
    const current = { owner: 'bob@contoso.com', via: 'rotation' as const };
    expect(decideOwner(inputs({ recipients: shorter, current, rotation: 1 }))).toEqual({
      action: 'assign',
      owner: 'cid@contoso.com',
      via: 'rotation',
      replaces: 'bob@contoso.com',
    });
    // The account's owner takes over when still on the route.
    expect(decideOwner(inputs({ recipients: shorter, current, accountOwner: 'ann@contoso.com' }))).toMatchObject({
      owner: 'ann@contoso.com',
      via: 'account',
      replaces: 'bob@contoso.com',
    });
  });

  test("a person's choice stays while the settings name that address anywhere, then hands over", () => {
    const chosen = { owner: 'dee@contoso.com', via: 'dashboard' as const };
    expect(decideOwner(inputs({ current: chosen }))).toEqual({ action: 'keep', owner: 'dee@contoso.com' });
    expect(decideOwner(inputs({ current: chosen, known: widget }))).toMatchObject({
      action: 'assign',
      replaces: 'dee@contoso.com',
    });
    // An automatic owner, by contrast, must be on the lead's own route.
    expect(decideOwner(inputs({ current: { owner: 'dee@contoso.com', via: 'rotation' } }))).toMatchObject({
      action: 'assign',
    });
  });

  test('a route of nobody: no owner', () => {
    expect(decideOwner(inputs({ recipients: [], accountOwner: 'ann@contoso.com' }))).toEqual({ action: 'none' });
  });
});

describe('who hears of a lead', () => {
  test('its owner alone, else the route as before', () => {
    expect(reminderRecipients('bob@contoso.com', widget)).toEqual(['bob@contoso.com']);
    expect(reminderRecipients(undefined, widget)).toEqual(widget);
    expect(reminderRecipients(undefined, widget)).not.toBe(widget);
  });

  test('"mine" matches the owner whatever the case', () => {
    expect(isOwnedBy('Bob@Contoso.com', 'bob@contoso.com')).toBe(true);
    expect(isOwnedBy('bob@contoso.com', 'ann@contoso.com')).toBe(false);
    expect(isOwnedBy(undefined, 'ann@contoso.com')).toBe(false);
  });
});
