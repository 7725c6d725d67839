/**
 * Who owns a lead: the one salesperson its reminders and alerts go to (escalations still go to ESCALATION_EMAIL).
 * Owners rotate over the recipients of the lead's route (routing.ts recipientsFor) and stick: a customer keeps its
 * owner, and a colleague from the same account gets the account's owner.
 *
 * The rotation needs no shared counter: its position is a hash of a key that every processing of the same lead
 * computes alike (the account, else the person, else the lead id), so concurrent and repeated processing agree,
 * the first lead of a customer costs no storage call for it, and the spread over many keys is even (see the tests).
 * A counter row per route would give exact turns at the price of a read and a guarded write per new customer;
 * ownerAtRotation takes either.
 */
import { createHash } from 'node:crypto';

import type { OwnerVia } from './ownerEvents';
import { sameAddress } from './run/addresses';

/** A position in the rotation: a non-negative integer, taken modulo the number of recipients. */
export type Rotation = number;

/** The rotation position of a key: the first 32 bits of its SHA-256, uniform over keys. */
export function rotationOf(key: string): Rotation {
  return createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0);
}

/**
 * What the rotation is keyed by: the account (so all its people get one owner even when two arrive at once), else
 * the person (so one customer on several offers gets one owner), else the record. Hashes, never personal data.
 */
export function rotationKey(keys: { accountHash?: string; personHash?: string; leadId: string }): string {
  if (keys.accountHash !== undefined) return `account:${keys.accountHash}`;
  if (keys.personHash !== undefined) return `person:${keys.personHash}`;
  return `lead:${keys.leadId}`;
}

/** The recipient at a rotation position; undefined when the route has nobody. */
export function ownerAtRotation(recipients: readonly string[], rotation: Rotation): string | undefined {
  if (recipients.length === 0) return undefined;
  const position = Math.abs(Math.trunc(rotation)) % recipients.length;
  return recipients[position];
}

/** The counter value after an assignment, for a stored per-route counter; wraps before precision runs out. */
export function nextRotation(rotation: Rotation): Rotation {
  return rotation >= Number.MAX_SAFE_INTEGER ? 0 : Math.trunc(rotation) + 1;
}

/** The address as the list spells it; compared as mail servers do (case, punycode) and ignoring spaces around. */
export function spellingIn(list: readonly string[], address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  return list.find((r) => sameAddress(r.trim(), address.trim()));
}

export interface CurrentOwner {
  owner: string;
  via: OwnerVia;
}

export interface OwnerInputs {
  /** recipientsFor(record, routes, defaults). */
  recipients: readonly string[];
  /** Every address the settings name (all routes and the defaults): who a person may hand a lead to. */
  known: readonly string[];
  /** This record's owner (projectOwner), if it has one. */
  current?: CurrentOwner;
  /** The owner of this customer's other records (another offer), if any. */
  customerOwner?: string;
  /** The owner of the account's other people's records, if the customer belongs to an account. */
  accountOwner?: string;
  rotation: Rotation;
}

export type OwnerDecision =
  | { action: 'keep'; owner: string }
  /** Record an owner event: `replaces` is the owner it takes over from (undefined: the lead had none). */
  | { action: 'assign'; owner: string; via: 'customer' | 'account' | 'rotation'; replaces?: string }
  /** Nobody to own it: the route has no recipients. Reminders fall back to what routing says (nobody). */
  | { action: 'none' };

/**
 * The owner a record should have now. A current owner stays while they are among the route's recipients, or, when a
 * person chose them (PATCH), while the settings still name them anywhere; an owner who left the settings hands over.
 * A record without a valid owner takes, in order, the customer's owner, the account's owner (each only while among
 * the route's recipients) and else the rotation's pick.
 */
export function decideOwner(inputs: OwnerInputs): OwnerDecision {
  const { recipients, current } = inputs;
  if (current !== undefined) {
    const chosenByPerson = current.via === 'api' || current.via === 'dashboard';
    const kept =
      spellingIn(recipients, current.owner) ?? (chosenByPerson ? spellingIn(inputs.known, current.owner) : undefined);
    if (kept !== undefined) return { action: 'keep', owner: current.owner };
  }
  const replaces = current?.owner;
  const customer = spellingIn(recipients, inputs.customerOwner);
  if (customer !== undefined) return { action: 'assign', owner: customer, via: 'customer', replaces };
  const account = spellingIn(recipients, inputs.accountOwner);
  if (account !== undefined) return { action: 'assign', owner: account, via: 'account', replaces };
  const rotated = ownerAtRotation(recipients, inputs.rotation);
  if (rotated === undefined) return { action: 'none' };
  return { action: 'assign', owner: rotated, via: 'rotation', replaces };
}

/** Who hears of a lead (reminder, alert): its owner when it has one, else the route's recipients as before. */
export function reminderRecipients(owner: string | undefined, recipients: readonly string[]): string[] {
  return owner === undefined ? [...recipients] : [owner];
}

/** The dashboard's "mine" filter and `?owner=`: one mailbox whatever the case. */
export function isOwnedBy(owner: string | undefined, me: string): boolean {
  return owner !== undefined && spellingIn([owner], me) !== undefined;
}
