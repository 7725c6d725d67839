/**
 * The accounts index: each account's people, so "people of this account" is one partition query (AccountPeople,
 * partition = the account's hash, row = the lead id). Rows hold hashes, the offer and times; the account's label
 * (a domain or company name) is never stored, it is derived again from the record when shown. Written when the
 * listing catches up with a record (off the hot path, listing.ts), removed by erasure. docs/storage.md.
 */
import { type Account, accountHash, accountOf } from './account';
import { ACCOUNT_WINDOW_MS, accountNote, accountPosition } from './accountPeople';
import { customerIdentity, hashKey } from './identity';
import { ERASED_FLAG, type LeadRecord } from './model';
import type { AccountPersonRow, RecordStore } from './recordStore';

export interface RecordAccount {
  account: Account;
  /** The account's storage key. */
  hash: string;
}

/** The person's hash: one customer on several offers is one person of the account (and one rotation position). */
export function personHash(record: LeadRecord): string | undefined {
  const { key } = customerIdentity({ ...record, isTest: record.isTest });
  return key === undefined ? undefined : hashKey(`person\n${key}`);
}

/** The record's account, or undefined (a test lead, an erased one, free-mail without a company, …: account.ts). */
export async function recordAccount(record: LeadRecord): Promise<RecordAccount | undefined> {
  if (record.flags.includes(ERASED_FLAG)) return undefined;
  const account = await accountOf({
    emailMatch: record.emailMatch,
    company: record.company,
    country: record.country,
    isTest: record.isTest,
  });
  return account === undefined ? undefined : { account, hash: accountHash(account) };
}

/** Lists the record under its account (or, erased, under none). */
export async function indexAccount(
  store: Pick<RecordStore, 'putAccountPerson' | 'deleteAccountRows'>,
  record: LeadRecord,
): Promise<void> {
  if (record.flags.includes(ERASED_FLAG)) {
    await store.deleteAccountRows(record.leadId);
    return;
  }
  const found = await recordAccount(record);
  if (found === undefined) return;
  await store.putAccountPerson(found.hash, {
    leadId: record.leadId,
    personKey: personHash(record) ?? `lead:${record.leadId}`,
    offerKey: record.offerKey,
    offerTitle: record.offerTitle,
    firstSeenAt: record.firstSeenAt,
    lastSeenAt: record.lastSeenAt,
  });
}

// An account of more people than this is shown (and counted) by its first rows only.
const MAX_PEOPLE = 200;

/** "3rd person from fabrikam.com this week", or undefined (no account, or the first person). */
export async function accountLineFor(
  store: Pick<RecordStore, 'accountPeople'>,
  record: LeadRecord,
  found: RecordAccount | undefined,
  now: Date,
): Promise<string | undefined> {
  if (found === undefined) return undefined;
  const people = await store.accountPeople(found.hash, MAX_PEOPLE);
  const sightings = people
    .filter((p) => p.leadId !== record.leadId)
    .map((p) => ({ personKey: p.personKey, at: p.lastSeenAt }));
  const me = personHash(record) ?? `lead:${record.leadId}`;
  return accountNote(found.account, accountPosition(sightings, me, now, ACCOUNT_WINDOW_MS));
}

export interface AccountView {
  kind: Account['kind'];
  /** The domain, or the company as the lead spelt it. */
  label: string;
  /** The account's records (this one included once indexed), newest first. */
  people: Omit<AccountPersonRow, 'personKey'>[];
  /** How many different people those records are. */
  peopleCount: number;
}

/** The account as `GET /api/leads/{id}` shows it, or undefined when the lead belongs to none. */
export async function accountView(
  store: Pick<RecordStore, 'accountPeople'>,
  record: LeadRecord,
): Promise<AccountView | undefined> {
  const found = await recordAccount(record);
  if (found === undefined) return undefined;
  const rows = await store.accountPeople(found.hash, MAX_PEOPLE);
  const people = rows
    .sort((a, b) => (a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : 0))
    .map(({ personKey: _person, ...row }) => row);
  return {
    kind: found.account.kind,
    label: found.account.label,
    people,
    peopleCount: new Set(rows.map((r) => r.personKey)).size,
  };
}
