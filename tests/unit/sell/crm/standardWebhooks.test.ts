import { randomBytes } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import { formatWebhookSecret, parseWebhookSecret, signWebhook } from '../../../../shared/sell/crm/standardWebhooks';

function key(secret: string): Buffer {
  const parsed = parseWebhookSecret(secret);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.key;
}

describe('signWebhook', () => {
  // The example the specification's libraries are tested with (libraries/*: "sign function works").
  const SPEC = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };

  test("matches the specification's published example", () => {
    const headers = signWebhook({ id: SPEC.id, body: SPEC.body }, new Date(SPEC.timestamp * 1000), [key(SPEC.secret)]);
    expect(headers).toEqual({
      'webhook-id': SPEC.id,
      'webhook-timestamp': String(SPEC.timestamp),
      'webhook-signature': SPEC.signature,
    });
  });

  test('the timestamp is whole seconds, rounded down', () => {
    const headers = signWebhook({ id: SPEC.id, body: SPEC.body }, new Date(SPEC.timestamp * 1000 + 999), [
      key(SPEC.secret),
    ]);
    expect(headers['webhook-timestamp']).toBe(String(SPEC.timestamp));
    expect(headers['webhook-signature']).toBe(SPEC.signature);
  });

  test('the reference library verifies what we sign, over a body with any characters', () => {
    const secret = formatWebhookSecret(randomBytes(32));
    const body = JSON.stringify({ data: { company: 'Müller & Söhne "GmbH" — 株式会社', note: 'a.b.c\n' } });
    const headers = signWebhook({ id: 'lead_01HZX3V6Q8W4M2K9T7R5N3B1CD_v3', body }, new Date(), [key(secret)]);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  test('while a secret is rotated, both signatures go out and a receiver with either key accepts', () => {
    const current = formatWebhookSecret(randomBytes(32));
    const previous = formatWebhookSecret(randomBytes(24));
    const body = '{"type":"lead.updated"}';
    const headers = signWebhook({ id: 'lead_X_v2', body }, new Date(), [key(current), key(previous)]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(formatWebhookSecret(randomBytes(32))).verify(body, { ...headers })).toThrow();
  });

  test('a changed body, id or timestamp no longer verifies', () => {
    const secret = formatWebhookSecret(randomBytes(32));
    const headers = signWebhook({ id: 'lead_X_v1', body: '{"v":1}' }, new Date(), [key(secret)]);
    const hook = new Webhook(secret);
    expect(() => hook.verify('{"v":2}', { ...headers })).toThrow();
    expect(() => hook.verify('{"v":1}', { ...headers, 'webhook-id': 'lead_X_v2' })).toThrow();
    const later = String(Number(headers['webhook-timestamp']) + 1);
    expect(() => hook.verify('{"v":1}', { ...headers, 'webhook-timestamp': later })).toThrow();
  });

  test('refuses an id that could make the signed text ambiguous, and signing without a key', () => {
    const k = key('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(() => signWebhook({ id: 'a.b', body: '{}' }, new Date(), [k])).toThrow(RangeError);
    expect(() => signWebhook({ id: '', body: '{}' }, new Date(), [k])).toThrow(RangeError);
    expect(() => signWebhook({ id: 'ok', body: '{}' }, new Date(), [])).toThrow(RangeError);
  });
});

describe('parseWebhookSecret', () => {
  test('takes whsec_ + base64, and the bare base64 as the reference libraries do', () => {
    const bytes = randomBytes(32);
    expect(parseWebhookSecret(formatWebhookSecret(bytes))).toEqual({ ok: true, key: bytes });
    expect(parseWebhookSecret(bytes.toString('base64'))).toEqual({ ok: true, key: bytes });
  });

  test.each([
    ['', 'is empty'],
    ['whsec_', 'is empty'],
    ['whsec_not base64!', 'followed by base64'],
    ['whsec_abc', 'followed by base64'],
    [`whsec_${randomBytes(16).toString('base64')}`, '24 to 64 random bytes'],
    [`whsec_${randomBytes(65).toString('base64')}`, '24 to 64 random bytes'],
  ])('refuses %j (%s), without repeating it', (secret, problem) => {
    const result = parseWebhookSecret(secret);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toContain(problem);
    if (secret.length > 6) expect(result.problem).not.toContain(secret.slice(6));
  });
});
