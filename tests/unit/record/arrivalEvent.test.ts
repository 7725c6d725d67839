import { MAX_FIELD_LENGTH } from '../../../shared/marketplace/normalise';
import { MAX_BODY_BYTES, validateLeadBody } from '../../../shared/receive/validateLeadBody';
import { toArrivalEvent } from '../../../shared/record/arrivalEvent';
import { projectLead } from '../../../shared/record/projection';
import { entityToEvent, eventToEntity, recordToEntity } from '../../../shared/record/recordStore';
import { entityBytes, MAX_ENTITY_BYTES, MAX_STRING_CHARS } from '../../../shared/storage/tableLimits';

const ID = '01JNB4M7Q3ZZ9X8W7V6T5S4R3Q';
// Controls, lone surrogates and the invisible characters names are cleaned of; line breaks are checked apart.
const UNCLEAN = /[\p{Cc}\p{Cs}\u200B\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/u;

function place(rawBody: string) {
  const placed = toArrivalEvent({
    v: 1,
    id: ID,
    receivedAt: '2025-03-01T10:00:00Z',
    rawBody,
    request: { queryKeys: [] },
  });
  if (!placed.ok) throw new Error(placed.reason);
  return placed;
}

/** Every string the event stores besides the raw copy, with where it sits. */
function storedTexts(placed: ReturnType<typeof place>): [string, string][] {
  const { rawBody: _raw, ...event } = placed.event;
  const texts: [string, string][] = [['offerKey', placed.offerKey]];
  for (const [key, value] of Object.entries(event)) {
    if (typeof value === 'string') texts.push([key, value]);
    if (Array.isArray(value)) for (const v of value as unknown[]) texts.push([key, String(v)]);
  }
  return texts;
}

/** String properties over Table Storage's 32K-character limit. */
const oversized = (entity: Record<string, unknown>): string[] =>
  Object.entries(entity)
    .filter(([, v]) => typeof v === 'string' && v.length > MAX_STRING_CHARS)
    .map(([k, v]) => `${k}: ${String(v).length}`);

describe('toArrivalEvent: what processing stores', () => {
  test('every stored text is cleaned the way names are: no controls, lone surrogates or invisible characters', () => {
    const noise = 'a\\u0000b\\u0007c\\ud800d\\udfffe\\u202Ef\\u200Bg\\u007f';
    const body = `{"LeadSource":"AzureMarketplace-INS|${noise}","ActionCode":"${noise}","OfferTitle":"Widgets${noise}",
      "Description":"line one${noise}\\nline two","UserDetails":{"FirstName":"Jan${noise}","LastName":"\\ud83dKowalski",
      "Email":"jan\\u0000@contoso.example","Company":"${noise}","Title":"${noise}","Country":"PL\\u0000"}}`;
    const placed = place(body);
    for (const [field, text] of storedTexts(placed)) {
      const lines = field === 'description' ? text.split('\n') : [text];
      for (const line of lines) expect({ field, unclean: UNCLEAN.test(line) }).toEqual({ field, unclean: false });
    }
    expect(placed.event).toMatchObject({
      offerTitle: 'Widgetsabcdefg',
      description: 'line oneabcdefg\nline two',
      firstName: 'Janabcdefg',
      lastName: 'Kowalski',
      email: 'jan@contoso.example',
      emailMatch: 'jan@contoso.example',
    });
    expect(placed.offerKey).not.toMatch(UNCLEAN);
  });

  test('a title-only offer key is cleaned like the title and cut at 256 code points', () => {
    const placed = place(
      JSON.stringify({ LeadSource: 'AppSource-INS', OfferTitle: `Ledger\u0000 Cloud${'x'.repeat(900)}` }),
    );
    expect(placed.offerKey).not.toMatch(UNCLEAN);
    expect(placed.offerKey.startsWith('ledger cloudxxx')).toBe(true);
    expect(Array.from(placed.offerKey).length).toBeLessThanOrEqual(MAX_FIELD_LENGTH);
    // The title itself is for people to read: kept whole up to the 1,024 characters validation accepts.
    expect(placed.event.offerTitle).toBe(`Ledger Cloud${'x'.repeat(900)}`);
    const longest = place(JSON.stringify({ OfferTitle: 'T'.repeat(1024) }));
    expect(longest.event.offerTitle).toBe('T'.repeat(1024));
  });

  test('LeadSource parses through control characters', () => {
    const placed = place(JSON.stringify({ LeadSource: 'AzureMarketplace\u0000-INS|contoso\u0007.widgets' }));
    expect(placed.event).toMatchObject({ source: 'AzureMarketplace', action: 'INS', offerId: 'widgets' });
    expect(placed.offerKey).toBe('contoso.widgets');
  });

  test('cuts fall on code points: a description of emoji is never left with half of one', () => {
    const placed = place(JSON.stringify({ Description: `a${'😀'.repeat(3000)}`, OfferTitle: `b${'😀'.repeat(400)}` }));
    expect(placed.event.description).not.toMatch(/\p{Cs}/u);
    expect(placed.event.offerTitle).not.toMatch(/\p{Cs}/u);
    expect(Array.from(placed.event.description ?? '')).toHaveLength(2000);
  });

  test('a body under 32 KiB of escapes and control characters in every text field is storable in Table Storage', () => {
    // Each \u0001 is six bytes of body and six characters of the event's JSON, each \" two and two, and the
    // email is stored twice (as typed and for matching): the JSON of such an event outgrew 32K characters.
    const c = (n: number): string => '\\u0001'.repeat(n);
    const q = (n: number): string => '\\"'.repeat(n);
    const body =
      `{"LeadSource":"${c(1024)}","ActionCode":"${c(1024)}","OfferTitle":"${c(1024)}","Description":"${c(2000)}",` +
      `"UserDetails":{"FirstName":"${q(256)}","LastName":"${q(256)}","Company":"${q(256)}","Email":"${q(240)}@x.example"}}`;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(validateLeadBody(Buffer.from(body)).ok).toBe(true);

    const placed = place(body);
    const entity = eventToEntity(ID, placed.event);
    expect(oversized(entity)).toEqual([]);
    expect(entityBytes(entity)).toBeLessThanOrEqual(MAX_ENTITY_BYTES);
    expect(entityToEvent({ ...entity, etag: '*' })).toEqual(placed.event);

    const identity = { leadId: ID, offerKey: placed.offerKey, identityKind: placed.identityKind };
    const recordEntity = recordToEntity(projectLead(identity, [placed.event])!, 1);
    expect(oversized(recordEntity)).toEqual([]);
    expect(entityBytes(recordEntity)).toBeLessThanOrEqual(MAX_ENTITY_BYTES);
  });
});
