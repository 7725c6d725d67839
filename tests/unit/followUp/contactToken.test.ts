import { contactLinkUrl, signContactToken, verifyContactToken } from '../../../shared/followUp/contactToken';

const SECRET = 'current-secret-0123456789abcdefghijklmnop';
const OLD_SECRET = 'previous-secret-0123456789abcdefghijklmno';
const LEAD = '01HZX3V6Q8W4M2K9T7R5N3B1CD';
const NOW = new Date('2024-05-01T12:00:00Z');
const EXPIRES = new Date('2024-05-15T12:00:00Z');

function tamperMac(token: string): string {
  const [expiry, mac] = token.split('.') as [string, string];
  const flipped = mac[0] === 'A' ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
  return `${expiry}.${flipped}`;
}

describe('contact tokens', () => {
  const token = signContactToken(LEAD, EXPIRES, SECRET);

  test('are URL-safe and carry the expiry in seconds', () => {
    expect(token).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(token.split('.')[0]).toBe(String(EXPIRES.getTime() / 1000));
    expect(encodeURIComponent(token)).toBe(token);
  });

  test('a fresh token verifies', () => {
    expect(verifyContactToken(LEAD, token, NOW, { secret: SECRET })).toEqual({ ok: true });
  });

  test('is deterministic for the same inputs', () => {
    expect(signContactToken(LEAD, EXPIRES, SECRET)).toBe(token);
  });

  test('another lead id is forged', () => {
    expect(verifyContactToken('01HZX3V6Q8W4M2K9T7R5N3B1CE', token, NOW, { secret: SECRET })).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  test('an extended expiry is forged, not expired or valid', () => {
    const later = `${Number(token.split('.')[0]) + 86_400}.${token.split('.')[1]}`;
    expect(verifyContactToken(LEAD, later, NOW, { secret: SECRET })).toEqual({ ok: false, reason: 'forged' });
  });

  test('a tampered expiry on an expired token is reported as forged', () => {
    const afterExpiry = new Date(EXPIRES.getTime() + 1000);
    const earlier = `${Number(token.split('.')[0]) - 1}.${token.split('.')[1]}`;
    expect(verifyContactToken(LEAD, earlier, afterExpiry, { secret: SECRET })).toEqual({ ok: false, reason: 'forged' });
  });

  test('a tampered MAC is forged', () => {
    expect(verifyContactToken(LEAD, tamperMac(token), NOW, { secret: SECRET })).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  test('the wrong key is forged', () => {
    const other = signContactToken(LEAD, EXPIRES, 'some-other-secret-0123456789abcdefghijkl');
    expect(verifyContactToken(LEAD, other, NOW, { secret: SECRET, previousSecret: OLD_SECRET })).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  test('lead id and expiry cannot be shifted into each other', () => {
    // ("…CD1", 7…) must not sign the same bytes as ("…CD", 17…).
    const shifted = signContactToken(`${LEAD}1`, EXPIRES, SECRET);
    const moved = `1${shifted}`;
    expect(verifyContactToken(LEAD, moved, NOW, { secret: SECRET })).toEqual({ ok: false, reason: 'forged' });
  });

  test('is expired at and after the expiry instant', () => {
    expect(verifyContactToken(LEAD, token, EXPIRES, { secret: SECRET })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyContactToken(LEAD, token, new Date('2025-01-01T00:00:00Z'), { secret: SECRET })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyContactToken(LEAD, token, new Date(EXPIRES.getTime() - 1000), { secret: SECRET })).toEqual({
      ok: true,
    });
  });

  test('a token signed with the previous key still verifies after rotation', () => {
    const old = signContactToken(LEAD, EXPIRES, OLD_SECRET);
    expect(verifyContactToken(LEAD, old, NOW, { secret: SECRET, previousSecret: OLD_SECRET })).toEqual({ ok: true });
    expect(verifyContactToken(LEAD, old, NOW, { secret: SECRET })).toEqual({ ok: false, reason: 'forged' });
  });

  test('a token signed with the new key verifies while the previous key is configured', () => {
    expect(verifyContactToken(LEAD, token, NOW, { secret: SECRET, previousSecret: OLD_SECRET })).toEqual({ ok: true });
  });

  const malformed: [string, string][] = [
    ['empty', ''],
    ['no dot', token.replace('.', '')],
    ['two dots', `${token}.x`],
    ['non-numeric expiry', `abc.${token.split('.')[1]}`],
    ['negative expiry', `-1.${token.split('.')[1]}`],
    ['short MAC', token.slice(0, -2)],
    ['long MAC', `${token}AA`],
    ['standard base64 characters', `${token.split('.')[0]}.${'+'.repeat(42)}A`],
    ['padding', `${token}=`],
    ['whitespace', ` ${token}`],
    ['huge expiry', `${'9'.repeat(20)}.${token.split('.')[1]}`],
  ];
  test.each(malformed)('%s is malformed', (_name, value) => {
    expect(verifyContactToken(LEAD, value, NOW, { secret: SECRET })).toEqual({ ok: false, reason: 'malformed' });
  });

  test('non-canonical base64url for the same MAC is malformed', () => {
    const [expiry, mac] = token.split('.') as [string, string];
    // The last character holds 4 spare bits; setting one decodes to the same bytes but is a different string.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(mac.slice(-1));
    const variant = `${expiry}.${mac.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(verifyContactToken(LEAD, variant, NOW, { secret: SECRET })).toEqual({ ok: false, reason: 'malformed' });
  });

  test('refuses to sign with an empty secret or an invalid date', () => {
    expect(() => signContactToken(LEAD, EXPIRES, '')).toThrow();
    expect(() => signContactToken(LEAD, new Date(Number.NaN), SECRET)).toThrow(RangeError);
  });
});

describe('contactLinkUrl', () => {
  test('encodes the lead id and the token', () => {
    expect(contactLinkUrl('https://leads.example.com', 'a/b c', '123.abc-_')).toBe(
      'https://leads.example.com/api/leads/a%2Fb%20c/contact?token=123.abc-_',
    );
  });

  test('tolerates a trailing slash on the base URL', () => {
    expect(contactLinkUrl('https://leads.example.com/', LEAD, 't')).toBe(
      `https://leads.example.com/api/leads/${LEAD}/contact?token=t`,
    );
  });
});
