import {
  appliedOwnerChanges,
  automaticOwnerEvent,
  type OwnerChangeEvent,
  parseOwnerField,
  projectOwner,
  reassignmentEvent,
} from '../../../shared/followUp/ownerEvents';
import type { LeadEvent } from '../../../shared/record/model';

const T = (minute: number): string => new Date(Date.UTC(2025, 2, 14, 9, minute)).toISOString();

const status: LeadEvent = { kind: 'status', eventId: 'S1', at: T(5), status: 'contacted', via: 'api' };
const reminder: LeadEvent = {
  kind: 'reminder',
  eventId: 'R1',
  at: T(6),
  reminder: 'remind',
  recipients: ['ann@contoso.com'],
};

function shuffled<X>(items: readonly X[], seed: number): X[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as X, out[i] as X];
  }
  return out;
}

describe('projectOwner', () => {
  test('no owner event: no owner; other kinds of event are ignored', () => {
    expect(projectOwner([status, reminder])).toBeUndefined();
  });

  test('the first automatic assignment wins; a second one that also saw no owner does not apply', () => {
    const a = automaticOwnerEvent({ owner: 'ann@contoso.com', via: 'rotation' }, 'E1', T(1));
    const b = automaticOwnerEvent({ owner: 'bob@contoso.com', via: 'account' }, 'E2', T(2));
    expect(projectOwner([b, status, a])).toEqual({ owner: 'ann@contoso.com', via: 'rotation', since: T(1) });
    expect(appliedOwnerChanges([a, b]).map((e) => e.eventId)).toEqual(['E1']);
  });

  test('a reassignment is recorded with who did it and wins over what came before', () => {
    const auto = automaticOwnerEvent({ owner: 'ann@contoso.com', via: 'rotation' }, 'E1', T(1));
    const patch = reassignmentEvent(
      { owner: 'bob@contoso.com', via: 'api', by: 'Dana', note: 'speaks Polish' },
      'E2',
      T(3),
    );
    expect(patch).toEqual({
      kind: 'owner',
      eventId: 'E2',
      at: T(3),
      owner: 'bob@contoso.com',
      via: 'api',
      by: 'Dana',
      note: 'speaks Polish',
    });
    expect(projectOwner([auto, patch, status])).toEqual({
      owner: 'bob@contoso.com',
      via: 'api',
      since: T(3),
      by: 'Dana',
    });
  });

  test("a hand-over from an owner who left never overrides a person's later choice", () => {
    const auto = automaticOwnerEvent({ owner: 'bob@contoso.com', via: 'rotation' }, 'E1', T(1));
    const chosen = reassignmentEvent({ owner: 'cid@contoso.com', via: 'dashboard' }, 'E2', T(2));
    // Processing that still saw bob hands over from him; by then a person had chosen cid.
    const handOver = automaticOwnerEvent(
      { owner: 'ann@contoso.com', via: 'rotation', replaces: 'Bob@Contoso.com' },
      'E3',
      T(3),
    );
    expect(projectOwner([auto, chosen, handOver])?.owner).toBe('cid@contoso.com');
    // Without the person's choice the hand-over applies (addresses compared whatever the case).
    expect(projectOwner([auto, handOver])?.owner).toBe('ann@contoso.com');
  });

  test('depends only on the set of events, not their order', () => {
    const events: (LeadEvent | OwnerChangeEvent)[] = [
      automaticOwnerEvent({ owner: 'ann@contoso.com', via: 'rotation' }, 'E1', T(1)),
      automaticOwnerEvent({ owner: 'bob@contoso.com', via: 'rotation' }, 'E0', T(1)),
      reassignmentEvent({ owner: 'cid@contoso.com', via: 'api' }, 'E4', T(4)),
      automaticOwnerEvent({ owner: 'dee@contoso.com', via: 'rotation', replaces: 'cid@contoso.com' }, 'E5', T(5)),
      status,
      reminder,
    ];
    const expected = projectOwner(events);
    expect(expected?.owner).toBe('dee@contoso.com');
    for (let seed = 1; seed <= 20; seed++) expect(projectOwner(shuffled(events, seed))).toEqual(expected);
  });
});

describe('parseOwnerField', () => {
  const known = ['Ann@Contoso.com', 'bob@contoso.com'];

  test('an address the settings name, as the settings spell it', () => {
    expect(parseOwnerField(' ann@contoso.COM ', known)).toEqual({ ok: true, value: 'Ann@Contoso.com' });
    // Mail servers report an internationalised domain in punycode: either form names the same mailbox.
    expect(parseOwnerField('ola@xn--bcher-kva.example', ['ola@bücher.example'])).toEqual({
      ok: true,
      value: 'ola@bücher.example',
    });
  });

  test('any other address is refused, naming the field and the rule', () => {
    expect(parseOwnerField('mallory@elsewhere.example', known)).toEqual({
      ok: false,
      problem: {
        field: 'owner',
        rule: 'known',
        message: 'owner must be one of the recipients named in REMINDER_ROUTES or REMINDER_RECIPIENTS',
      },
    });
  });

  test.each([42, null, '', '  ', ['ann@contoso.com']])('%j is not an address', (value) => {
    expect(parseOwnerField(value, known)).toEqual({
      ok: false,
      problem: { field: 'owner', rule: 'type', message: 'owner must be an email address' },
    });
  });
});
