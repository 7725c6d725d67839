import { attemptEvent, MAX_ATTEMPT_BODY_BYTES, parseAttemptBody } from '../../../shared/sell/attemptBody';

const NOW = new Date('2026-03-14T12:00:00.000Z');
const parse = (body: unknown): ReturnType<typeof parseAttemptBody> => parseAttemptBody(JSON.stringify(body), NOW);

describe('POST /api/leads/{id}/attempts body', () => {
  test('a valid attempt, its note and by cleaned as status notes are', () => {
    expect(
      parse({ channel: 'phone', outcome: 'leftMessage', note: ' voicemail\u200b\r\nwill retry ', by: ' Ana\u0007 ' }),
    ).toEqual({
      ok: true,
      attempt: { channel: 'phone', outcome: 'leftMessage', note: 'voicemail\nwill retry', by: 'Ana', via: 'api' },
    });
  });

  test('channel and outcome are required and name the allowed values', () => {
    const result = parse({ channel: 'fax' });
    expect(result).toEqual({
      ok: false,
      body: {
        error: 'invalid_request',
        message:
          'channel must be one of email, phone, meeting, other; outcome must be one of reached, noAnswer, leftMessage, replied',
        problems: [
          {
            field: 'channel',
            rule: 'enum',
            message: 'channel must be one of email, phone, meeting, other',
            allowed: ['email', 'phone', 'meeting', 'other'],
          },
          {
            field: 'outcome',
            rule: 'enum',
            message: 'outcome must be one of reached, noAnswer, leftMessage, replied',
            allowed: ['reached', 'noAnswer', 'leftMessage', 'replied'],
          },
        ],
      },
    });
  });

  test('"unknown" is for the link one click only, not the API', () => {
    expect(parse({ channel: 'unknown', outcome: 'unknown' })).toMatchObject({
      ok: false,
      body: { problems: [{ field: 'channel' }, { field: 'outcome' }] },
    });
  });

  test('at: an ISO time, not in the future (five minutes of clock skew allowed), at most 30 days back', () => {
    expect(parse({ channel: 'email', outcome: 'replied', at: '2026-03-13T08:00:00Z' })).toMatchObject({
      ok: true,
      attempt: { happenedAt: '2026-03-13T08:00:00.000Z' },
    });
    expect(parse({ channel: 'email', outcome: 'replied', at: '2026-03-14T12:04:00Z' })).toMatchObject({
      ok: true,
      attempt: { happenedAt: NOW.toISOString() },
    });
    for (const [at, rule] of [
      ['yesterday', 'format'],
      [1700000000, 'format'],
      ['2026-03-14T12:06:00Z', 'range'],
      ['2026-02-01T00:00:00Z', 'range'],
    ] as const) {
      expect(parse({ channel: 'email', outcome: 'replied', at })).toMatchObject({
        ok: false,
        body: { problems: [{ field: 'at', rule }] },
      });
    }
  });

  test('limits: note 1000 and by 200 characters, the body 16 KiB; not JSON or not an object', () => {
    expect(parse({ channel: 'email', outcome: 'reached', note: 'x'.repeat(1001), by: 'y'.repeat(201) })).toMatchObject({
      ok: false,
      body: {
        problems: [
          { field: 'note', rule: 'maxLength' },
          { field: 'by', rule: 'maxLength' },
        ],
      },
    });
    expect(parse({ channel: 'email', outcome: 'reached', note: '😀'.repeat(1000) }).ok).toBe(true);
    expect(parseAttemptBody(' '.repeat(MAX_ATTEMPT_BODY_BYTES + 1), NOW)).toMatchObject({
      ok: false,
      body: { problems: [{ field: 'body', rule: 'maxBytes' }] },
    });
    expect(parseAttemptBody('{channel', NOW)).toMatchObject({ ok: false, body: { problems: [{ rule: 'json' }] } });
    expect(parseAttemptBody('"phone"', NOW)).toMatchObject({ ok: false, body: { problems: [{ rule: 'type' }] } });
  });

  test('amends names an event id; via is api or dashboard', () => {
    const amends = '01HZX3V6Q8W4M2K9T7R5N3B1CD';
    expect(parse({ channel: 'phone', outcome: 'replied', amends: amends.toLowerCase(), via: 'dashboard' })).toEqual({
      ok: true,
      attempt: { channel: 'phone', outcome: 'replied', amends, via: 'dashboard' },
    });
    expect(parse({ channel: 'phone', outcome: 'replied', amends: 'x', via: 'email-link' })).toMatchObject({
      ok: false,
      body: {
        problems: [
          { field: 'amends', rule: 'format' },
          { field: 'via', rule: 'enum' },
        ],
      },
    });
  });

  test('the event records the attempt as parsed', () => {
    const parsed = parse({ channel: 'meeting', outcome: 'reached', by: 'Li' });
    if (!parsed.ok) throw new Error('expected a valid body');
    expect(attemptEvent(parsed.attempt, 'E1', NOW.toISOString())).toEqual({
      kind: 'attempt',
      eventId: 'E1',
      at: NOW.toISOString(),
      channel: 'meeting',
      outcome: 'reached',
      by: 'Li',
      via: 'api',
    });
  });
});
