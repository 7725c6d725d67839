/**
 * The stored shapes: a lead record is one customer × one offer; its history is a list of events. The record is a
 * projection of the events (see projection.ts), so reprocessing any event, in any order, gives the same record.
 */
import type { CadenceRestartEvent, NurtureReminderEvent, RecordCadence } from '../followUp/cadence';
import type { OwnerChangeEvent } from '../followUp/ownerEvents';
import type { LeadActionKind, LeadSourceKind } from '../marketplace/leadSource';
import type { NormalisedPerson } from '../marketplace/normalise';
import type { Stage } from '../marketplace/stage';
import type { AttemptEvent, AttemptSummary } from './attempts';
import type { DecisionFields, QualificationAnswers } from './decisions';

/** Flag on events (and so records) whose person data was erased on request: a tombstone, never reminded. */
export const ERASED_FLAG = 'erased';

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'disqualified'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export function isLeadStatus(value: unknown): value is LeadStatus {
  return typeof value === 'string' && (LEAD_STATUSES as readonly string[]).includes(value);
}

/** The person as one lead stated it (display forms) plus the forms used for matching. */
export type PersonFields = Omit<NormalisedPerson, 'isTest' | 'countryRaw'>;

export const PERSON_FIELDS: readonly (keyof PersonFields)[] = [
  'firstName',
  'lastName',
  'company',
  'title',
  'email',
  'emailMatch',
  'phone',
  'phoneE164',
  'country',
];

export interface LeadArrivalEvent extends PersonFields {
  kind: 'arrival';
  /** The envelope id (ULID): the event's row key, so a redelivered message writes the same row. */
  eventId: string;
  at: string;
  source: LeadSourceKind;
  sourceRaw: string;
  action: LeadActionKind;
  actionRaw: string;
  stage: Stage;
  offerId?: string;
  publisherId?: string;
  offerTitle?: string;
  description?: string;
  isTest: boolean;
  unrecognised: boolean;
  flags: string[];
  /** The lead exactly as Microsoft sent it (the raw payload the history refers to). */
  rawBody: string;
  /**
   * What makes a repeated POST the same event: the SHA-256 (hex) of the raw body as received. Erasure replaces it
   * with the id of the first arrival it repeats, which keeps the grouping and drops the link to the body. Absent on
   * events stored before repeats were recognised.
   */
  contentKey?: string;
}

export interface StatusChangeEvent {
  kind: 'status';
  eventId: string;
  at: string;
  status: LeadStatus;
  note?: string;
  by?: string;
  /** How the change was made: the API, the link in a reminder email, the dashboard. */
  via: string;
  /**
   * The change applies only if the lead has this status at the event's place in the history. The reminder link
   * records "contacted" only over "new", so a click racing someone's "qualified" never moves the lead back.
   */
  onlyIf?: LeadStatus;
  /** A decision's fields (decisions.ts): the answers with `qualified`, the reason with `disqualified`. */
  answers?: DecisionFields['answers'];
  reason?: DecisionFields['reason'];
}

export interface ReminderSentEvent {
  kind: 'reminder';
  eventId: string;
  at: string;
  reminder: 'remind' | 'escalate';
  recipients: string[];
}

export type LeadEvent =
  | LeadArrivalEvent
  | StatusChangeEvent
  | ReminderSentEvent
  | AttemptEvent
  | CadenceRestartEvent
  | NurtureReminderEvent
  | OwnerChangeEvent;

export interface LeadRecord extends PersonFields {
  leadId: string;
  offerKey: string;
  offerId?: string;
  publisherId?: string;
  offerTitle?: string;
  stage: Stage;
  status: LeadStatus;
  statusChangedAt?: string;
  statusNote?: string;
  statusBy?: string;
  /** When someone first marked the lead anything but new: the speed-to-lead clock stops here. */
  firstContactedAt?: string;
  firstSeenAt: string;
  lastSeenAt: string;
  eventCount: number;
  sources: LeadSourceKind[];
  lastAction: LeadActionKind;
  isTest: boolean;
  doNotContact: boolean;
  unrecognised: boolean;
  flags: string[];
  remindedAt?: string;
  escalatedAt?: string;
  /** The identity the record is matched by (kind only: the key itself is personal data). */
  identityKind: 'email' | 'phone' | 'nameCompany' | 'none';
  /** The one salesperson the lead is for (followUp/owners.ts); absent while its route names nobody. */
  owner?: string;
  /** When the current owner got the lead. */
  ownerSince?: string;
  /** Contact attempts (attempts.ts): absent on records saved before attempts existed. */
  attemptCount?: AttemptSummary['attemptCount'];
  firstAttemptAt?: AttemptSummary['firstAttemptAt'];
  lastAttemptAt?: AttemptSummary['lastAttemptAt'];
  lastAttemptChannel?: AttemptSummary['lastAttemptChannel'];
  lastAttemptOutcome?: AttemptSummary['lastAttemptOutcome'];
  lastAttemptBy?: AttemptSummary['lastAttemptBy'];
  /** The answers of the current `qualified` decision. */
  qualification?: QualificationAnswers;
  /** The reason of the current `disqualified` decision. */
  disqualifyReason?: string;
  /** Where the nurture cadence stands, as of the last change (set by the rebuild, which knows the cadence days). */
  cadence?: RecordCadence;
  /**
   * The latest start of each kind of trial (trialWindow.ts): the window's end depends on OFFER_TRIAL_DAYS, so it is
   * computed when read, and a change of the setting needs no rebuild.
   */
  freeTrialStartedAt?: string;
  testDriveStartedAt?: string;
}
