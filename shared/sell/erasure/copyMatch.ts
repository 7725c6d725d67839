/**
 * Whether a copy of a lead kept outside its record (a RejectedLeads row, a poison message) is the erased person's.
 * Deleting a copy is irreversible and the copy may be the only trace of another customer's lead, so a copy matches
 * only by equality of normalised values, never by a substring of its text (`an@x` is not `jan@x`):
 *
 * - A copy that decodes to an envelope whose payload is a lead (a JSON object) is read the way processing reads
 *   it (canonicalLead, normalisePerson): it is hers when its email equals one of hers, or, when it carries no
 *   email, when its E.164 phone equals one of hers — the order identity uses. Other text in the lead (say, a
 *   description naming her address) does not make someone else's lead hers.
 * - A lead with neither email nor phone, and any copy that is not a lead (not JSON, not an envelope, a payload that
 *   is not an object), is searched for email addresses: JSON is parsed (so `\u002B` reads as `+`), JSON escapes in
 *   text that does not parse are decoded, and every address-shaped token is compared, normalised, for equality.
 *   Phones are not searched in free text: digits alone say too little about whose they are.
 */
import { canonicalLead, isJsonObject } from '../../marketplace/canonicalLead';
import { cleanText, normalisePerson } from '../../marketplace/normalise';
import { parseEnvelope } from '../../queue/envelope';

export interface PersonKeys {
  /** Lower-cased, cleaned email addresses. */
  emails: ReadonlySet<string>;
  /** E.164 phone numbers. */
  phones: ReadonlySet<string>;
}

/** The form both sides of an email comparison take: cleaned as processing cleans it, lower-cased. */
export function emailKey(value: string | undefined): string | undefined {
  const key = cleanText(value)?.toLowerCase();
  return key !== undefined && key.includes('@') ? key : undefined;
}

export function isEmpty(person: PersonKeys): boolean {
  return person.emails.size === 0 && person.phones.size === 0;
}

/** `text` is a queue message as stored: base64 (as the app writes them) or plain (as anyone else may). */
export function copyMatches(text: string, person: PersonKeys): boolean {
  return decodings(text).some((decoded) => decodedMatches(decoded, person));
}

function decodings(text: string): string[] {
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0) {
    return [text, Buffer.from(text, 'base64').toString('utf8')];
  }
  return [text];
}

function decodedMatches(text: string, person: PersonKeys): boolean {
  const json = parseJson(text);
  const envelope = json === undefined ? undefined : parseEnvelope(json);
  if (envelope?.ok) {
    const payload = parseJson(envelope.envelope.rawBody);
    if (isJsonObject(payload)) {
      const verdict = leadMatches(payload, person);
      if (verdict !== undefined) return verdict;
    }
  }
  return emailTokens(json === undefined ? [text, unescapeJson(text)] : stringsOf(json, 4)).some((token) =>
    person.emails.has(token),
  );
}

/** Decided by the lead's own fields, or undefined when it has neither email nor phone to decide by. */
function leadMatches(payload: Record<string, unknown>, person: PersonKeys): boolean | undefined {
  const found = normalisePerson(canonicalLead(payload).userDetails);
  const email = emailKey(found.email);
  if (email !== undefined) return person.emails.has(email);
  if (found.phoneE164 !== undefined) return person.phones.has(found.phoneE164);
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Every string in a JSON value, strings that are themselves JSON (an envelope's rawBody) opened up to `depth`. */
function stringsOf(value: unknown, depth: number): string[] {
  if (typeof value === 'string') {
    const inner = depth > 0 ? parseJson(value) : undefined;
    return inner !== undefined && typeof inner === 'object' && inner !== null
      ? [value, ...stringsOf(inner, depth - 1)]
      : [value];
  }
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) out.push(key, ...stringsOf(child, depth));
  return out;
}

/** Text that was JSON but no longer parses (cut short, or never whole): its escapes decoded as JSON would. */
function unescapeJson(text: string): string {
  return text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\[bfnrt]/g, ' ')
    .replace(/\\(["\\/])/g, '$1');
}

// Characters that never occur in an address as people write them, so they end a token: whitespace, quotes,
// brackets, and the separators of lists and JSON. Everything else stays in the token, so `jan@x` never yields `an@x`.
// A split rather than a global match: a long run without '@' would make a match retry from every position.
const TOKEN_BREAKS = /[\s"'<>()[\]{},;:\\]+/;
const ONE_AT = /^[^@]+@[^@]+$/;

function emailTokens(texts: readonly string[]): string[] {
  const tokens: string[] = [];
  for (const text of texts) {
    for (const piece of text.split(TOKEN_BREAKS)) {
      // A sentence may end right after an address.
      const candidate = piece.replace(/\.+$/, '');
      if (!ONE_AT.test(candidate)) continue;
      const key = emailKey(candidate);
      if (key !== undefined) tokens.push(key);
    }
  }
  return tokens;
}
