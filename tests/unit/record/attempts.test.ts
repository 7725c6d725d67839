import { appliedChanges, type AttemptEvent, contactAttempts, summariseAttempts } from '../../../shared/record/attempts';
import type { StatusChangeEvent } from '../../../shared/record/model';
import { oneClickAttemptEvent } from '../../../shared/sell/attemptBody';

const T = (minute: number): string => new Date(Date.UTC(2026, 2, 14, 9, minute)).toISOString();

const attempt = (eventId: string, minute: number, extra: Partial<AttemptEvent> = {}): AttemptEvent => ({
  kind: 'attempt',
  eventId,
  at: T(minute),
  channel: 'phone',
  outcome: 'noAnswer',
  via: 'api',
  ...extra,
});
const status = (eventId: string, minute: number, extra: Partial<StatusChangeEvent>): StatusChangeEvent => ({
  kind: 'status',
  eventId,
  at: T(minute),
  status: 'contacted',
  via: 'api',
  ...extra,
});

describe('contact attempts', () => {
  test('each attempt event is an attempt; the record shows the count, the first and the last with its outcome', () => {
    const events = [
      attempt('A1', 1, { by: 'Ana' }),
      attempt('A2', 5, { channel: 'email', outcome: 'leftMessage', by: 'Li', note: 'sent the deck' }),
    ];
    const attempts = contactAttempts(events);
    expect(attempts.map((a) => a.eventId)).toEqual(['A1', 'A2']);
    expect(summariseAttempts(attempts)).toEqual({
      attemptCount: 2,
      firstAttemptAt: T(1),
      lastAttemptAt: T(5),
      lastAttemptChannel: 'email',
      lastAttemptOutcome: 'leftMessage',
      lastAttemptBy: 'Li',
    });
    expect(summariseAttempts([])).toEqual({ attemptCount: 0 });
  });

  test('an attempt on a new lead makes it contacted; on a qualified lead it changes nothing', () => {
    expect(appliedChanges([attempt('A1', 1)]).map((c) => [c.status, c.from])).toEqual([['contacted', 'new']]);
    const decided = [status('S1', 1, { status: 'qualified' }), attempt('A1', 2)];
    expect(appliedChanges(decided).map((c) => c.status)).toEqual(['qualified']);
    expect(contactAttempts(decided)).toHaveLength(1);
  });

  test('a status change to contacted from new is an attempt of unknown channel and outcome; a repeat is not', () => {
    const events = [
      status('S1', 1, { by: 'Ana', note: 'called' }),
      status('S2', 2, {}),
      status('S3', 3, { status: 'qualified' }),
    ];
    expect(contactAttempts(events)).toEqual([
      {
        eventId: 'S1',
        at: T(1),
        recordedAt: T(1),
        by: 'Ana',
        channel: 'unknown',
        outcome: 'unknown',
        note: 'called',
        via: 'api',
        implied: true,
      },
    ]);
  });

  test('the link one click counts once however often it is clicked, and its form amends it', () => {
    const click = oneClickAttemptEvent('link-1', 'A1', T(1));
    const again = oneClickAttemptEvent('link-1', 'A2', T(2));
    const form = attempt('A3', 3, { amends: 'A1', channel: 'phone', outcome: 'replied', note: 'demo Friday' });
    const attempts = contactAttempts([form, again, click]);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      eventId: 'A1',
      at: T(1),
      channel: 'phone',
      outcome: 'replied',
      note: 'demo Friday',
      via: 'email-link',
    });
    // The amendment is not a status change of its own, the click is.
    expect(appliedChanges([click, form]).map((c) => c.eventId)).toEqual(['A1']);
  });

  test('an amendment keeps what it does not say; one whose attempt is missing stands on its own', () => {
    const click = oneClickAttemptEvent('link-1', 'A1', T(1));
    const partial = attempt('A2', 2, { amends: 'A1', channel: 'unknown', outcome: 'reached' });
    expect(contactAttempts([click, partial])[0]).toMatchObject({ channel: 'unknown', outcome: 'reached' });
    const orphan = attempt('A3', 3, { amends: 'GONE' });
    expect(contactAttempts([orphan]).map((a) => a.eventId)).toEqual(['A3']);
  });

  test('a back-dated attempt counts at when it happened, never after it was recorded', () => {
    const late = attempt('A2', 10, { happenedAt: T(0) });
    const future = attempt('A3', 11, { happenedAt: T(30) });
    const attempts = contactAttempts([attempt('A1', 5), late, future]);
    expect(attempts.map((a) => a.at)).toEqual([T(5), T(0), T(11)]);
    expect(summariseAttempts(attempts)).toMatchObject({ firstAttemptAt: T(0), lastAttemptAt: T(11) });
  });

  test('depends only on the set of events', () => {
    const events = [
      status('S1', 1, {}),
      attempt('A1', 2),
      oneClickAttemptEvent('k', 'A2', T(3)),
      attempt('A3', 4, { amends: 'A2', outcome: 'reached' }),
    ];
    expect(contactAttempts([...events].reverse())).toEqual(contactAttempts(events));
  });
});
