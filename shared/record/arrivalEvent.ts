/** One queued lead → the event it adds to a customer's history, plus the identities that place it. */
import { canonicalLead, isJsonObject } from '../marketplace/canonicalLead';
import { parseLeadSource } from '../marketplace/leadSource';
import { cleanMultilineText, cleanText, normalisePerson } from '../marketplace/normalise';
import { stageForLead } from '../marketplace/stage';
import type { LeadEnvelope } from '../marketplace/types';
import { customerIdentity, hashKey, offerIdentity, standaloneIdentity } from './identity';
import type { LeadArrivalEvent, LeadRecord } from './model';

export interface PlacedEvent {
  event: LeadArrivalEvent;
  offerKey: string;
  identityKind: LeadRecord['identityKind'];
  /** The LeadKeys row: hash of offer × customer, or of offer × body × arrival slot for a lead naming no customer. */
  identityHash?: string;
}

export type PlaceResult = ({ ok: true } & PlacedEvent) | { ok: false; reason: string };

/** Code points of a description kept on the event; other stored texts are cut at MAX_FIELD_LENGTH… */
export const MAX_DESCRIPTION_LENGTH = 2000;
/** …but an offer title, which people read in full: as long as validation accepts (MAX_SHORT_FIELD_CHARS). */
export const MAX_OFFER_TITLE_LENGTH = 1024;

export function toArrivalEvent(envelope: LeadEnvelope): PlaceResult {
  let payload: unknown;
  try {
    payload = JSON.parse(envelope.rawBody);
  } catch {
    return { ok: false, reason: 'the lead payload is not JSON' };
  }
  if (!isJsonObject(payload)) return { ok: false, reason: 'the lead payload is not a JSON object' };

  const lead = canonicalLead(payload);
  // Cleaned before parsing, uncut (validation bounds them), so noise cannot hide a documented value.
  const parsed = parseLeadSource(
    cleanText(lead.leadSource, Infinity),
    cleanText(lead.actionCode, Infinity),
    cleanText(lead.offerTitle, Infinity),
  );
  const person = normalisePerson(lead.userDetails);
  const offerTitle =
    cleanText(lead.offerTitle, MAX_OFFER_TITLE_LENGTH) ??
    cleanText(parsed.offerTitle, MAX_OFFER_TITLE_LENGTH) ??
    cleanText(parsed.offerRaw, MAX_OFFER_TITLE_LENGTH);
  const offerKey = offerIdentity(parsed, offerTitle);
  const customer = customerIdentity(person);
  const contentKey = hashKey(envelope.rawBody);
  const flags: string[] = [...parsed.flags];
  if (!lead.recognised) flags.push('unrecognised');

  const event: LeadArrivalEvent = {
    kind: 'arrival',
    eventId: envelope.id,
    at: envelope.receivedAt,
    source: parsed.source,
    sourceRaw: cleanText(parsed.sourceRaw) ?? '',
    action: parsed.action,
    actionRaw: cleanText(parsed.actionRaw) ?? '',
    stage: stageForLead(parsed),
    offerId: parsed.offerId,
    publisherId: parsed.publisherId,
    offerTitle,
    description: cleanMultilineText(lead.description, MAX_DESCRIPTION_LENGTH),
    firstName: person.firstName,
    lastName: person.lastName,
    company: person.company,
    title: person.title,
    email: person.email,
    emailMatch: person.emailMatch,
    phone: person.phone,
    phoneE164: person.phoneE164,
    country: person.country,
    isTest: parsed.isTest || person.isTest,
    unrecognised: !lead.recognised,
    flags,
    rawBody: envelope.rawBody,
    contentKey,
  };
  // An unrecognised payload is never merged into someone's record: nobody knows whose it is. Such a lead, and one
  // naming no customer, joins only its own repeated POSTs.
  const named = customer.key !== undefined && lead.recognised;
  const identityHash = named
    ? hashKey(`${offerKey}\n${customer.key}`)
    : standaloneIdentity(offerKey, contentKey, envelope.receivedAt);
  return { ok: true, event, offerKey, identityKind: named ? customer.kind : 'none', identityHash };
}
