/**
 * What erasure keeps and what it removes, as pure functions over events. The record is a projection of its
 * events, so erasing the events and projecting again gives the tombstone — and any later rebuild (a status
 * change on the tombstone) gives the same tombstone instead of resurrecting the person.
 *
 * Removed: every person field, the free-text description, the raw payload, and status notes (sales write
 * things like "spoke to Jan, call back Friday" there). Kept: offer, stage, source/action, dates, status, who on
 * the sales team changed it, and reminder recipients (sales addresses, not the person's).
 */
import { ERASED_FLAG, type LeadArrivalEvent, type LeadEvent, type LeadRecord, PERSON_FIELDS } from '../../record/model';
import { emailKey, type PersonKeys } from './copyMatch';

export { ERASED_FLAG };

export function isErased(record: Pick<LeadRecord, 'flags'>): boolean {
  return record.flags.includes(ERASED_FLAG);
}

const BODY_HASH = /^[0-9a-f]{64}$/;

/** Whether an event still holds anything erasure removes. */
export function holdsPersonalData(event: LeadEvent): boolean {
  if (event.kind === 'status')
    return event.note !== undefined || Object.values(event.answers ?? {}).some((a) => a.note !== undefined);
  // Attempt and restart notes are free text by sales, like status notes.
  if (event.kind === 'attempt' || event.kind === 'cadenceRestart') return event.note !== undefined;
  if (event.kind !== 'arrival') return false;
  return (
    event.rawBody !== '' ||
    (event.contentKey !== undefined && BODY_HASH.test(event.contentKey)) ||
    event.description !== undefined ||
    PERSON_FIELDS.some((f) => event[f] !== undefined) ||
    !event.flags.includes(ERASED_FLAG)
  );
}

/**
 * `sameAs`: for an arrival, the id of the first arrival it repeats (or its own id): it replaces the body's hash,
 * so the tombstone still counts a repeated POST once without keeping anything derived from the body.
 */
export function anonymiseEvent(event: LeadEvent, sameAs?: string): LeadEvent {
  if (event.kind === 'status') {
    const { note: _note, ...rest } = event;
    void _note;
    if (rest.answers === undefined) return rest;
    const answers = Object.fromEntries(Object.entries(rest.answers).map(([k, a]) => [k, { answer: a.answer }]));
    return { ...rest, answers };
  }
  if (event.kind === 'attempt' || event.kind === 'cadenceRestart') {
    const { note: _note, ...rest } = event;
    void _note;
    return rest;
  }
  if (event.kind !== 'arrival') return event;
  const kept: LeadArrivalEvent = {
    kind: 'arrival',
    eventId: event.eventId,
    at: event.at,
    source: event.source,
    sourceRaw: event.sourceRaw,
    action: event.action,
    actionRaw: event.actionRaw,
    stage: event.stage,
    isTest: event.isTest,
    unrecognised: event.unrecognised,
    flags: event.flags.includes(ERASED_FLAG) ? event.flags : [...event.flags, ERASED_FLAG],
    rawBody: '',
  };
  if (event.offerId !== undefined) kept.offerId = event.offerId;
  if (event.publisherId !== undefined) kept.publisherId = event.publisherId;
  if (event.offerTitle !== undefined) kept.offerTitle = event.offerTitle;
  if (event.contentKey !== undefined)
    kept.contentKey = BODY_HASH.test(event.contentKey) ? (sameAs ?? event.eventId) : event.contentKey;
  return kept;
}

/**
 * The person's email addresses (display and matching forms, cleaned and lower-cased) and E.164 phones, from the
 * record and every event: what rejected and poison copies are compared with. Gathered before anything is erased,
 * and from both sources, so a retry after a crash half-way still knows whom it is erasing.
 */
export function personKeys(record: LeadRecord | undefined, events: readonly LeadEvent[]): PersonKeys {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const add = (person: Partial<Pick<LeadRecord, 'email' | 'emailMatch' | 'phoneE164'>> | undefined): void => {
    for (const value of [person?.email, person?.emailMatch]) {
      const key = emailKey(value);
      if (key !== undefined) emails.add(key);
    }
    if (person?.phoneE164 !== undefined) phones.add(person.phoneE164);
  };
  add(record);
  for (const e of events) if (e.kind === 'arrival') add(e);
  return { emails, phones };
}

/** Record fields that held the person's data (names only: the answer must not repeat what it erased). */
export function erasedRecordFields(record: LeadRecord | undefined): string[] {
  if (!record) return [];
  const fields: string[] = PERSON_FIELDS.filter((f) => record[f] !== undefined);
  if (record.statusNote !== undefined) fields.push('statusNote');
  if (Object.values(record.qualification ?? {}).some((a) => a.note !== undefined)) fields.push('qualification');
  return fields;
}
