import { encodeEnvelope } from '../../../shared/queue/envelope';
import { copyMatches, type PersonKeys } from '../../../shared/sell/erasure/copyMatch';

const person = (emails: string[], phones: string[] = []): PersonKeys => ({
  emails: new Set(emails),
  phones: new Set(phones),
});
const an = person(['an@contoso-sub.example']);
const zofia = person(['zofia+mkt@fabrikam.example'], ['+48601777888']);

function lead(userDetails: Record<string, string>, extra: Record<string, string> = {}): string {
  return JSON.stringify({ UserDetails: userDetails, LeadSource: 'AppSource-INS|contoso.sub', ...extra });
}
/** A queue message as the app writes it (base64) and as the trigger hands it to RejectedLeads (decoded JSON). */
function asCopies(rawBody: string): [string, string] {
  const envelope = { v: 1 as const, id: '01JNB4M7Q3ZZ9X8W7V6T5S4R3Q', receivedAt: '2025-03-01T10:00:00Z', rawBody };
  const base64 = encodeEnvelope({ ...envelope, request: { queryKeys: [] } });
  return [base64, Buffer.from(base64, 'base64').toString('utf8')];
}

describe('copyMatches: equality of parsed fields, never a substring', () => {
  test("JAN@'s lead is not an@'s, however the copy is written", () => {
    for (const copy of asCopies(lead({ Email: 'JAN@contoso-sub.example' }))) expect(copyMatches(copy, an)).toBe(false);
    for (const copy of asCopies(lead({ Email: ' An@Contoso-Sub.example ' }))) expect(copyMatches(copy, an)).toBe(true);
  });

  test('a copy written with JSON escapes is read as parsed', () => {
    const escaped = '{"UserDetails":{"Email":"zofia\\u002Bmkt@fabrikam.example"}}';
    for (const copy of asCopies(escaped)) expect(copyMatches(copy, zofia)).toBe(true);
    // Not a lead (an array), and not even whole JSON: escapes are still decoded before comparing.
    for (const copy of asCopies(`[${escaped}]`)) expect(copyMatches(copy, zofia)).toBe(true);
    expect(copyMatches(`{"rawBody":"[{\\"Email\\":\\"zofia\\u002Bmkt@fabrikam.example\\"`, zofia)).toBe(true);
  });

  test("someone else's lead that mentions her address in free text stays: it is his lead", () => {
    const his = lead({ Email: 'olaf@elsewhere.example' }, { Description: 'colleague: an@contoso-sub.example' });
    for (const copy of asCopies(his)) expect(copyMatches(copy, an)).toBe(false);
  });

  test('a lead without an email is hers when its phone is, in any spelling; with another email it is not', () => {
    for (const copy of asCopies(lead({ Phone: '0048 601-777-888' }))) expect(copyMatches(copy, zofia)).toBe(true);
    for (const copy of asCopies(lead({ Phone: '+48 601 777 888', Email: 'boss@fabrikam.example' })))
      expect(copyMatches(copy, zofia)).toBe(false);
  });

  test('text that is not a lead is searched for whole addresses', () => {
    expect(copyMatches('not json, from An@contoso-sub.example.', an)).toBe(true);
    expect(copyMatches('not json, from mailto:an@contoso-sub.example', an)).toBe(true);
    expect(copyMatches('not json, from JAN@contoso-sub.example', an)).toBe(false);
    expect(copyMatches('not json, from an@contoso-sub.example.org', an)).toBe(false);
    expect(copyMatches('{"plain": "an@contoso-sub.example"}', an)).toBe(true);
    expect(copyMatches('{"plain": "+48 601 777 888"}', zofia)).toBe(false);
  });
});
