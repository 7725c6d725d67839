/**
 * Cleans a lead's person fields. Two forms are kept side by side: display values (what the customer typed,
 * only tidied) for sales to read, and matching values (lower-cased email, E.164 phone, ISO country) so that
 * `Jan.Kowalski@Fabrikam.example` and ` jan.kowalski@fabrikam.example ` are recognised as one person.
 * Microsoft guarantees no field and no format, so nothing here throws: what cannot be normalised is kept as sent.
 */
import countries from 'i18n-iso-countries';
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js';

import { hasTestMarker } from './leadSource';
import type { LeadUserDetails } from './types';

export interface NormalisedPerson {
  firstName?: string;
  lastName?: string;
  company?: string;
  title?: string;
  /** Display form: trimmed, as typed. */
  email?: string;
  /** Matching form: trimmed and lower-cased; only set when the value looks like an email address. */
  emailMatch?: string;
  /** Display form: trimmed, as typed (kept even when it cannot be parsed). */
  phone?: string;
  /** Set only when the number is valid for its region, so junk such as `1234567890` never matches people. */
  phoneE164?: string;
  /** ISO 3166-1 alpha-2 when recognised, else the value as sent (trimmed). */
  country?: string;
  /** The country as sent (trimmed), whenever one was sent. */
  countryRaw?: string;
  /** Any field carries Microsoft's MSFT_TEST marker. */
  isTest: boolean;
}

/** Table Storage allows far more, but nobody reads a 10 kB first name; the marker shows it was cut. */
export const MAX_FIELD_LENGTH = 256;
export const TRUNCATION_MARKER = '…';

// C0/C1 controls, lone surrogates (half an emoji: not text, and storage may refuse them), plus invisible characters
// that break matching or spoof display (zero-width space, BOM, bidi overrides). ZWJ/ZWNJ are kept: some scripts
// need them inside names. With the u flag a well-formed surrogate pair is one code point, so \p{Cs} is a lone half.
const INVISIBLE = /[\p{Cc}\p{Cs}\u200B\u2028\u2029\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/gu;
// Removed before NFC too, which should not see half a character.
const LONE_SURROGATES = /\p{Cs}/gu;
const LINE_BREAKS = /\r\n?|[\n\v\f\u0085\u2028\u2029]/g;
// Deliberately simple: it only decides whether the value is worth matching on, not whether it is deliverable.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const MAX_EMAIL_LENGTH = 254;

export function normalisePerson(details: LeadUserDetails): NormalisedPerson {
  const person: NormalisedPerson = {
    isTest: Object.values(details).some((v) => typeof v === 'string' && hasTestMarker(v)),
  };
  setIfPresent(person, 'firstName', cleanText(details.firstName));
  setIfPresent(person, 'lastName', cleanText(details.lastName));
  setIfPresent(person, 'company', cleanText(details.company));
  setIfPresent(person, 'title', cleanText(details.title));

  const email = cleanText(details.email);
  setIfPresent(person, 'email', email);
  setIfPresent(person, 'emailMatch', emailForMatching(email));

  const countryRaw = cleanText(details.country);
  const countryCode = countryRaw === undefined ? undefined : countryToAlpha2(countryRaw);
  setIfPresent(person, 'country', countryCode ?? countryRaw);
  setIfPresent(person, 'countryRaw', countryRaw);

  const phone = cleanText(details.phone);
  setIfPresent(person, 'phone', phone);
  setIfPresent(person, 'phoneE164', phone === undefined ? undefined : phoneToE164(phone, countryCode));
  return person;
}

/**
 * Trims, removes control and invisible characters, collapses inner whitespace, NFC-normalises (so a name typed
 * with combining accents equals the precomposed one) and cuts over-long values at `maxLength` code points. Every
 * text the app stores from a lead goes through this (or cleanMultilineText). Empty results become undefined.
 */
export function cleanText(value: string | undefined, maxLength = MAX_FIELD_LENGTH): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = cleanLine(value.replace(LONE_SURROGATES, '').normalize('NFC'));
  if (text === '') return undefined;
  return truncate(text, maxLength);
}

/** cleanText for free text such as a description: the same, but line breaks are kept (as \n, at most one blank line). */
export function cleanMultilineText(value: string | undefined, maxLength: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value
    .replace(LONE_SURROGATES, '')
    .normalize('NFC')
    .replace(LINE_BREAKS, '\n')
    .split('\n')
    .map(cleanLine)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text === '') return undefined;
  return truncate(text, maxLength);
}

function cleanLine(line: string): string {
  // Whitespace controls (tab, newline) separate words, so they become spaces; the rest are dropped outright.
  return line.replace(/\s/g, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim();
}

/** Cuts at `maxLength` code points, never inside a surrogate pair, ending with a marker that shows the cut. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const points = Array.from(text);
  if (points.length <= maxLength) return text;
  return (
    points
      .slice(0, maxLength - 1)
      .join('')
      .trimEnd() + TRUNCATION_MARKER
  );
}

export function emailForMatching(email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  const folded = email.toLowerCase();
  return folded.length <= MAX_EMAIL_LENGTH && EMAIL.test(folded) ? folded : undefined;
}

/** Accepts alpha-2 (`us`), alpha-3 (`USA`, `POL`) and country names in any language the library knows. */
export function countryToAlpha2(value: string): string | undefined {
  const upper = value.normalize('NFKC').trim().toUpperCase();
  if (/^[A-Z]{2}$/.test(upper) && countries.getAlpha2Codes()[upper] !== undefined) return upper;
  if (/^[A-Z]{3}$/.test(upper)) {
    const fromAlpha3 = countries.alpha3ToAlpha2(upper);
    if (fromAlpha3 !== undefined) return fromAlpha3;
  }
  return countryNames().get(value.normalize('NFC').trim().toLowerCase());
}

let namesByLowerCase: Map<string, string> | undefined;

/**
 * Every country name the library knows, in every language, built once: scanning all locales per lead costs
 * tens of milliseconds. English is added first and never overwritten, because another language's name could,
 * rarely, be a different country's English name.
 */
function countryNames(): Map<string, string> {
  if (namesByLowerCase) return namesByLowerCase;
  const names = new Map<string, string>();
  for (const lang of ['en', ...countries.getSupportedLanguages().filter((l) => l !== 'en')]) {
    for (const [code, localNames] of Object.entries(countries.getNames(lang, { select: 'all' }))) {
      for (const name of localNames) {
        const key = name.normalize('NFC').toLowerCase();
        if (!names.has(key)) names.set(key, code);
      }
    }
  }
  namesByLowerCase = names;
  return names;
}

/**
 * Microsoft documents phones such as `16175555555`: the country calling code without '+'. So the number is
 * first read as a national number in the lead's country (libphonenumber drops a leading calling code that
 * matches it), then, if that is not a valid number, as an international one with '+' added.
 */
export function phoneToE164(phone: string, country: string | undefined): string | undefined {
  const region: CountryCode | undefined = country !== undefined && isSupportedCountry(country) ? country : undefined;
  const attempts: (() => PhoneNumber | undefined)[] = [
    () => parsePhoneNumberFromString(phone, region),
    () => {
      // Only for plain digit strings: adding '+' to "617 555 0123 ext. 12" would invent a different number.
      if (!/^[\d\s().+-]+$/.test(phone)) return undefined;
      const digits = phone.replace(/\D/g, '').replace(/^00/, '');
      return digits.length >= 8 ? parsePhoneNumberFromString(`+${digits}`) : undefined;
    },
  ];
  for (const attempt of attempts) {
    const parsed = safely(attempt);
    if (parsed?.isValid()) return parsed.number;
  }
  return undefined;
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    // libphonenumber throws on some inputs (e.g. too long); an unparseable phone is simply kept as text.
    return undefined;
  }
}

function setIfPresent<K extends keyof NormalisedPerson>(
  target: NormalisedPerson,
  key: K,
  value: NormalisedPerson[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}
