/**
 * An account: the people of one company who came to the publisher's offers. Leads of one account share an owner and
 * an alert says when a colleague already came ("3rd person from fabrikam.com this week"). As with identity, a wrong
 * merge costs more than a missed one (two companies in one account route one company's leads to the other's seller
 * and tell sales of colleagues who are strangers), so every rule errs towards not grouping.
 */
import type { EmailDomain } from './emailDomain';
import { classifyEmailDomain } from './emailDomain';
import { foldCompany, foldName, hashKey } from './identity';
import type { PersonFields } from './model';

export type AccountKind = 'domain' | 'company';

export interface Account {
  kind: AccountKind;
  /**
   * `domain:<registrable domain>` or `company:<folded name>|<country>`. The domain of a one-person firm is
   * personal data: store and log only accountHash(account).
   */
  key: string;
  /** What sales read: the domain, or the company as the lead spelt it. For email and pages, never for logs. */
  label: string;
}

export type AccountPerson = Pick<PersonFields, 'emailMatch' | 'company' | 'country'> & { isTest?: boolean };

/**
 * Values people type when there is no company to name. Folded (foldCompany) forms; a name that folds to one of
 * these, or to fewer than two letters or digits, names no company.
 */
const NO_COMPANY: ReadonlySet<string> = new Set([
  'none',
  'no',
  'na',
  'n a',
  'nil',
  'null',
  'not applicable',
  'unknown',
  'other',
  'self',
  'self employed',
  'selfemployed',
  'freelance',
  'freelancer',
  'independent',
  'individual',
  'personal',
  'private',
  'private person',
  'home',
  'student',
  'retired',
  'unemployed',
  'test',
  'company',
  'my company',
  'no company',
]);

/**
 * The account a person belongs to, decided by one rule, in this order:
 * 1. a test lead: none (Partner Center's test leads all come from one domain);
 * 2. an email at an organisation's domain: that registrable domain, whatever company name was typed (two firms
 *    can share a name, never a domain), so people of `fabrikam.com` and `fabrikam.de` stay apart;
 * 3. an academic email: none, even with a company name (that name is the university, whose departments and
 *    students do not buy as one);
 * 4. a free-mail or throwaway email, or none: the folded company name together with the country, so two firms of
 *    one name in two countries stay apart; placeholders ("n/a", "self", "student") name no company.
 * A domain account and a name account never join, even for the same company: linking them would take guessing.
 */
export function accountFor(person: AccountPerson, domain: EmailDomain | undefined): Account | undefined {
  if (person.isTest === true) return undefined;
  if (domain?.kind === 'organisation') {
    return { kind: 'domain', key: `domain:${domain.registrable}`, label: domain.registrable };
  }
  if (domain?.kind === 'academic') return undefined;
  const company = foldCompany(person.company);
  if (NO_COMPANY.has(company) || company.replace(/[^\p{L}\p{N}]/gu, '').length < 2) return undefined;
  const country = foldName(person.country);
  return { kind: 'company', key: `company:${company}|${country}`, label: person.company?.trim() ?? company };
}

/** accountFor with the email's domain looked up in the lists (emailDomain.ts). */
export async function accountOf(person: AccountPerson): Promise<Account | undefined> {
  if (person.isTest === true) return undefined;
  return accountFor(person, await classifyEmailDomain(person.emailMatch));
}

/**
 * The account's storage key: SHA-256 hex like every key derived from lead data. Unsalted like the identity hash,
 * so it survives key rotation; a domain is guessable, so the hash is pseudonymous, not anonymous.
 */
export function accountHash(account: Account): string {
  return hashKey(`account\n${account.key}`);
}
