/**
 * Cleans a lead's person fields. Two forms are kept side by side: display values (what the customer typed,
 * only tidied) for sales to read, and matching values (lower-cased email, E.164 phone, ISO country) so that
 * `Jan.Kowalski@Fabrikam.example` and ` jan.kowalski@fabrikam.example ` are recognised as one person.
 * Microsoft guarantees no field and no format, so nothing here throws: what cannot be normalised is kept as sent.
 */
import countries from 'i18n-iso-countries';
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js';

import { hasTestMarker } from './leadSource';
import { cleanText } from './text';
import type { LeadUserDetails } from './types';

export { cleanMultilineText, cleanText, MAX_FIELD_LENGTH, truncate, TRUNCATION_MARKER } from './text';

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
