/**
 * docs/crm.md gives receivers a verification function to copy. It is run here, as written there, against
 * deliveries the app signs: a receiver who copies it gets one that works, and refuses what it should.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';

import { formatWebhookSecret, parseWebhookSecret, signWebhook } from '../../../../shared/sell/crm/standardWebhooks';

type Verify = (rawBody: string, headers: Record<string, string>, secret: string, nowSeconds?: number) => boolean;

function documentedVerify(): Verify {
  const doc = readFileSync(path.join(__dirname, '../../../../docs/crm.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Verifying the signature'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error('docs/crm.md has no js block under "Verifying the signature"');
  const sandbox: { require: NodeJS.Require; Buffer: typeof Buffer; verify?: Verify } = { require, Buffer };
  runInNewContext(`${code}\nverify = verifyWebhook;`, sandbox);
  if (sandbox.verify === undefined) throw new Error('the documented code defines no verifyWebhook');
  return sandbox.verify;
}

describe('the verification code in docs/crm.md', () => {
  const verify = documentedVerify();
  const secret = formatWebhookSecret(randomBytes(32));
  const parsed = parseWebhookSecret(secret);
  if (!parsed.ok) throw new Error(parsed.problem);
  const body = JSON.stringify({ type: 'lead.created', data: { company: 'Müller & Söhne' } });
  const at = new Date('2024-05-03T12:00:00Z');
  const now = at.getTime() / 1000;
  const headers = { ...signWebhook({ id: 'lead_01HZX3V6Q8W4M2K9T7R5N3B1CD_v1', body }, at, [parsed.key]) };

  test('accepts what the app signs', () => {
    expect(verify(body, headers, secret, now)).toBe(true);
  });

  test('accepts either signature while the secret is being changed', () => {
    const old = randomBytes(32);
    const both = { ...signWebhook({ id: 'lead_X_v2', body }, at, [parsed.key, old]) };
    expect(verify(body, both, secret, now)).toBe(true);
    expect(verify(body, both, formatWebhookSecret(old), now)).toBe(true);
  });

  test('refuses a changed body, another secret, a stale or future attempt, missing headers', () => {
    expect(verify(body.replace('Müller', 'Mueller'), headers, secret, now)).toBe(false);
    expect(verify(body, headers, formatWebhookSecret(randomBytes(32)), now)).toBe(false);
    expect(verify(body, headers, secret, now + 301)).toBe(false);
    expect(verify(body, headers, secret, now - 301)).toBe(false);
    expect(verify(body, { ...headers, 'webhook-signature': '' }, secret, now)).toBe(false);
    expect(verify(body, { ...headers, 'webhook-timestamp': 'soon' }, secret, now)).toBe(false);
  });
});
