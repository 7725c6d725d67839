import { arrivalEffects, changeEffects, type EffectSettings } from '../../../shared/followUp/saveEffects';
import { newUlid } from '../../../shared/ids';
import type { LeadArrivalEvent, LeadEvent, LeadRecord } from '../../../shared/record/model';
import { projectLead } from '../../../shared/record/projection';
import type { Effects } from '../../../shared/record/rebuild';
import { arrival } from '../../support/events';

const SELLERS = Array.from({ length: 12 }, (_, i) => `seller${i}@sales.example`);
const AT = '2024-05-03T12:00:00.000Z';

function settings(overrides: Partial<EffectSettings> = {}): EffectSettings {
  return {
    owners: { routes: new Map([['contoso.vip', ['vip@sales.example']]]), defaults: SELLERS },
    alertOnNewLead: true,
    handOff: false,
    clock: () => new Date(AT),
    newId: newUlid,
    ...overrides,
  };
}

interface Saved {
  record: LeadRecord;
  events: LeadEvent[];
  effects: Effects;
}

/** One arrival saved into a record that holds `history`, as rebuild.ts calls the effects. */
async function save(
  person: Partial<LeadArrivalEvent>,
  history: LeadEvent[] = [],
  s: EffectSettings = settings(),
  before?: LeadRecord,
): Promise<Saved> {
  const event = arrival(newUlid(), AT, person);
  const leadId = history[0]?.eventId ?? event.eventId;
  const events = [...history, event];
  const next = projectLead({ leadId, offerKey: 'contoso.widgets', identityKind: 'email' }, events);
  if (next === undefined) throw new Error('no record');
  const effects = await arrivalEffects(s)({ before, next, events, version: 1, added: event });
  const all = [...events, ...effects.events];
  const record = projectLead({ leadId, offerKey: 'contoso.widgets', identityKind: 'email' }, all);
  if (record === undefined) throw new Error('no record');
  return { record, events: all, effects };
}

const person = (email: string, extra: Partial<LeadArrivalEvent> = {}): Partial<LeadArrivalEvent> => ({
  email,
  emailMatch: email.toLowerCase(),
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Fabrikam',
  country: 'United States',
  ...extra,
});

test('a new lead gets an owner from its route’s recipients, recorded as an owner event, and alerts that owner', async () => {
  const { record, effects } = await save(person('ada@fabrikam.com'));
  expect(SELLERS).toContain(record.owner);
  expect(record.ownerSince).toBe(AT);
  expect(effects.events).toEqual([
    expect.objectContaining({ kind: 'owner', owner: record.owner, via: 'rotation', onlyIf: { owner: null } }),
  ]);
  expect(effects.intents).toEqual([
    {
      kind: 'alert',
      message: expect.objectContaining({ recipient: record.owner, reason: 'newLead', stage: 'interest' }) as unknown,
    },
  ]);
});

test('an offer with its own route is owned by that route’s recipient', async () => {
  const { record } = await save(person('ada@fabrikam.com', { offerId: 'vip', publisherId: 'contoso' }));
  expect(record.owner).toBe('vip@sales.example');
});

test('people of one account get one owner; the same person on another offer keeps theirs', async () => {
  const colleagues = ['ada', 'grace', 'alan', 'edsger', 'barbara'].map((n) => person(`${n}@eu.fabrikam.com`));
  const owners = await Promise.all(colleagues.map(async (p) => (await save(p)).record.owner));
  expect(new Set(owners).size).toBe(1);
  // Free-mail addresses form no account: the rotation is per person, so five strangers spread over the sellers.
  const strangers = ['ada', 'grace', 'alan', 'edsger', 'barbara'].map((n) =>
    person(`${n}.x@gmail.com`, { company: 'Self' }),
  );
  const spread = await Promise.all(strangers.map(async (p) => (await save(p)).record.owner));
  expect(new Set(spread).size).toBeGreaterThan(1);
  const again = await Promise.all(strangers.map(async (p) => (await save(p)).record.owner));
  expect(again).toEqual(spread);
});

test('an owned record keeps its owner: a later arrival adds no owner event', async () => {
  const first = await save(person('ada@fabrikam.com'));
  const second = await save(person('ada@fabrikam.com', { stage: 'trial' }), first.events, settings(), first.record);
  expect(second.effects.events).toEqual([]);
  expect(second.record.owner).toBe(first.record.owner);
  expect(second.effects.intents).toEqual([
    {
      kind: 'alert',
      message: expect.objectContaining({ reason: 'stageRaised', stage: 'trial', previousStage: 'interest' }) as unknown,
    },
  ]);
});

test('test leads and alerts switched off owe no alert; the owner is still assigned', async () => {
  const testLead = await save(person('ada@fabrikam.com', { isTest: true }));
  const off = await save(person('ada@fabrikam.com'), [], settings({ alertOnNewLead: false }));
  for (const saved of [testLead, off]) {
    expect(saved.effects.intents).toEqual([]);
    expect(saved.record.owner).toBeDefined();
  }
});

test('while the owner routing is wrong no owner is assigned, so a new lead alerts nobody; its hand-off is owed', async () => {
  const { record, effects } = await save(
    person('ada@fabrikam.com'),
    [],
    settings({ owners: undefined, handOff: true }),
  );
  expect(record.owner).toBeUndefined();
  expect(effects.events).toEqual([]);
  expect(effects.intents.map((i) => i.kind)).toEqual(['handOff']);
});

test('while the owner routing is wrong a record that has an owner still alerts that owner when it moves on', async () => {
  const first = await save(person('ada@fabrikam.com'));
  const owner = first.record.owner;
  const { effects } = await save(
    person('ada@fabrikam.com', { stage: 'trial' }),
    first.events,
    settings({ owners: undefined }),
    first.record,
  );
  expect(effects.intents).toEqual([
    {
      kind: 'alert',
      message: expect.objectContaining({ recipient: owner, reason: 'stageRaised', stage: 'trial' }) as unknown,
    },
  ]);
});

test('with a webhook, every change owes a hand-off of its version; without, none', async () => {
  const { effects } = await save(person('ada@fabrikam.com'), [], settings({ handOff: true }));
  expect(effects.intents.filter((i) => i.kind === 'handOff')).toEqual([
    { kind: 'handOff', message: { v: 1, leadId: expect.any(String) as unknown, version: 1, created: true, at: AT } },
  ]);
  const record = projectLead({ leadId: newUlid(), offerKey: 'x', identityKind: 'email' }, [arrival(newUlid(), AT)]);
  if (record === undefined) throw new Error('no record');
  const change = changeEffects({ handOff: true, clock: () => new Date(AT) });
  expect(await change?.({ before: record, next: record, events: [], version: 4 })).toEqual({
    events: [],
    intents: [{ kind: 'handOff', message: { v: 1, leadId: record.leadId, version: 4, created: false, at: AT } }],
  });
  expect(changeEffects({ handOff: false, clock: () => new Date(AT) })).toBeUndefined();
});
