/**
 * Decides which leads belong to the same customer × offer record. Microsoft's advice is to de-duplicate the
 * several leads one person sends while moving through an offer's funnel; but a wrong merge (two people in one
 * record, one of them never followed up) costs more than a missed one (two records for one person), so every
 * rule here errs towards not merging.
 */
import { createHash } from 'node:crypto';

import type { ParsedLeadSource } from '../marketplace/leadSource';
import { cleanText, type NormalisedPerson } from '../marketplace/normalise';

export type CustomerIdentityKind = 'email' | 'phone' | 'nameCompany' | 'none';

export interface CustomerIdentity {
  kind: CustomerIdentityKind;
  /**
   * Prefixed with the kind (`email:…`, `phone:…`, `name:…`) so keys of different kinds can never collide.
   * Contains personal data: hash it (hashKey) before using it in a storage key.
   */
  key?: string;
}

export const UNKNOWN_OFFER = 'unknown-offer';

/**
 * Email first (the most specific thing a lead carries), then E.164 phone, then name + company.
 * The name rule needs at least a last name and a company: a name alone matches strangers (two "Jan Kowalski"s
 * at different firms), and a company alone matches colleagues. The first name is part of the key when sent,
 * so "Jan Kowalski" and "Anna Kowalski" at one firm stay apart — at the price of not merging a lead that
 * omits the first name with one that has it. Without any of these (e.g. `.edu` leads, which carry no
 * personal data) the lead stands alone.
 */
export function customerIdentity(p: NormalisedPerson): CustomerIdentity {
  if (p.emailMatch !== undefined) return { kind: 'email', key: `email:${p.emailMatch}` };
  if (p.phoneE164 !== undefined) return { kind: 'phone', key: `phone:${p.phoneE164}` };
  const last = foldName(p.lastName);
  const company = foldCompany(p.company);
  if (last !== '' && company !== '') {
    return { kind: 'nameCompany', key: `name:${foldName(p.firstName)}|${last}|${company}` };
  }
  return { kind: 'none' };
}

/**
 * The offer id when LeadSource carried one; otherwise the offer's display name. Ids are case-folded because
 * Microsoft's ids are lower-case and nothing says the casing is stable. Note that one offer seen once with an
 * id and once with only a title gets two identities: nothing in a title-only lead says which id it belongs to.
 */
export function offerIdentity(parsed: ParsedLeadSource, offerTitle?: string): string {
  if (parsed.publisherId !== undefined && parsed.offerId !== undefined) {
    return `${parsed.publisherId}.${parsed.offerId}`.toLowerCase();
  }
  const title = foldTitle(offerTitle) || foldTitle(parsed.offerTitle) || foldTitle(parsed.offerRaw);
  return title || UNKNOWN_OFFER;
}

/** Hex SHA-256, for Table Storage keys: stable, fixed length, free of characters keys forbid, and no raw PII. */
export function hashKey(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const REPEAT_SLOT_MS = 10 * 60_000;

/**
 * Where a lead that names no customer goes, so that a sender's repeated POST of it joins the same record (and counts
 * once there) instead of making a second one: the offer, the body's hash and the 10-minute slot it arrived in. A
 * repeat that crosses a slot boundary still makes a second record; byte-identical leads in one slot are one.
 */
export function standaloneIdentity(offerKey: string, contentKey: string, receivedAt: string): string {
  const slot = Math.floor(Date.parse(receivedAt) / REPEAT_SLOT_MS);
  return hashKey(`${offerKey}\nbody:${contentKey}\nslot:${slot}`);
}

// Letters NFKD does not decompose into base + accent, so "Łukasz" still matches "Lukasz".
const FOLD_LETTERS: Readonly<Record<string, string>> = {
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ŀ: 'l',
};

/** Case-, accent-, punctuation- and spacing-insensitive form of a name. */
export function foldName(value: string | undefined): string {
  if (value === undefined) return '';
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[łđðøæœßþıħŧŀ]/g, (ch) => FOLD_LETTERS[ch] ?? ch)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Legal forms at the end of a company name, as folded token sequences. People write the same firm with and
 * without them ("Fabrikam" and "Fabrikam sp. z o.o." in one journey), and they say nothing about which firm.
 */
const LEGAL_FORMS: readonly string[][] = [
  'inc',
  'incorporated',
  'llc',
  'llp',
  'ltd',
  'limited',
  'plc',
  'corp',
  'corporation',
  'co',
  'company',
  'gmbh',
  'ag',
  'kg',
  'se',
  'sa',
  'sas',
  'sarl',
  'srl',
  'spa',
  'bv',
  'nv',
  'ab',
  'as',
  'asa',
  'oy',
  'oyj',
  'kk',
  'pty',
  'pvt',
  'sp z o o',
  'spzoo',
  'sp k',
  'sp j',
  's a',
  's r o',
  'a s',
  'zrt',
  'kft',
  'doo',
].map((form) => form.split(' '));

export function foldCompany(value: string | undefined): string {
  const tokens = foldName(value)
    .split(' ')
    .filter((t) => t !== '');
  let stripped = true;
  while (stripped) {
    stripped = false;
    for (const form of LEGAL_FORMS) {
      // Never strip the whole name: a firm called "AG" is still a firm.
      if (tokens.length > form.length && form.every((t, i) => tokens[tokens.length - form.length + i] === t)) {
        tokens.splice(tokens.length - form.length, form.length);
        stripped = true;
      }
    }
  }
  return tokens.join(' ');
}

/** Cleaned like every stored text, then case- and compatibility-folded; NFKC can lengthen text, so it is cut again. */
function foldTitle(value: string | undefined): string {
  return cleanText(cleanText(value)?.normalize('NFKC').toLowerCase()) ?? '';
}
