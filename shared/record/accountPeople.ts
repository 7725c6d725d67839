/**
 * "3rd person from fabrikam.com this week": how many people of an account came lately, for the alert about a new
 * lead. People, not records: one person on two offers is two records and one person.
 */
import type { Account } from './account';

export const ACCOUNT_WINDOW_MS = 7 * 24 * 3_600_000;

export interface AccountSighting {
  /** Stable per person and free of personal data in clear (e.g. the hash of the customer identity). */
  personKey: string;
  /** A time the person's lead arrived (ISO). */
  at: string;
}

/**
 * Where this person stands among the account's people seen in the 7 days up to `now`: this person plus every other
 * person with a lead in that window. A person seen only outside the window does not count, so "this week" means the
 * last 7 days, not the calendar week.
 */
export function accountPosition(
  sightings: readonly AccountSighting[],
  personKey: string,
  now: Date,
  windowMs = ACCOUNT_WINDOW_MS,
): number {
  const from = now.getTime() - windowMs;
  const others = new Set<string>();
  for (const s of sightings) {
    const at = Date.parse(s.at);
    if (s.personKey !== personKey && at >= from && at <= now.getTime()) others.add(s.personKey);
  }
  return others.size + 1;
}

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd, 101st, 111th. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/**
 * The line for an alert, or undefined for the first person (nothing to say). The label is the account's domain or
 * company name: fine in an email to sales, who see the lead's email anyway, but not for logs or telemetry.
 */
export function accountNote(account: Pick<Account, 'label'>, position: number): string | undefined {
  if (!Number.isInteger(position) || position < 2) return undefined;
  return `${ordinal(position)} person from ${account.label} this week`;
}
