/**
 * The "Mark as contacted" link: the token decides whether the request may see the lead at all (checked before
 * the lookup, so a forged link cannot probe which ids exist), GET only shows, POST records a contact attempt.
 *
 * The click records an attempt whose channel and outcome are unknown, keyed by the token's MAC (`linkKey`) so a
 * second click of the same link is the same attempt. The page that follows asks how it went; its form posts back
 * with the same token and the click's event id, and may only amend that click: channel, outcome and note.
 */

import type { Clock } from '../clock';
import type { HttpAnswer } from '../http/answer';
import { cleanMultilineText } from '../marketplace/normalise';
import { ATTEMPT_CHANNELS, ATTEMPT_OUTCOMES, type AttemptEvent } from '../record/attempts';
import { type ChangeHandOff, recordChange, warnIfHandOffWaits } from '../record/changeHandOff';
import { isDecided } from '../record/decisions';
import { isUlid } from '../record/keys';
import type { LeadRecord } from '../record/model';
import type { FollowUpPolicy } from '../record/rebuild';
import type { RecordStore } from '../record/recordStore';
import { oneClickAttemptEvent } from '../sell/attemptBody';
import { MAX_NOTE_LENGTH } from '../sell/statusUpdate';
import {
  alreadyMarkedPage,
  attemptSavedPage,
  badFormPage,
  confirmPage,
  donePage,
  expiredLinkPage,
  invalidLinkPage,
  unknownLeadPage,
} from './contactPages';
import { type ContactLinkSecrets, verifyContactToken } from './contactToken';

/** `effects` and `queues`: the hand-off the change owes (saveEffects.ts changeEffects), and its queue. */
export interface ContactLinkDeps extends ChangeHandOff {
  store: RecordStore;
  clock: Clock;
  newId: () => string;
  policy: FollowUpPolicy;
  secrets: ContactLinkSecrets;
  log(message: string): void;
}

export interface ContactLinkRequest {
  method: 'GET' | 'POST';
  leadId: string;
  token: string | undefined;
  /** Where the forms post: the same path and token. */
  formAction: string;
  /** The posted form's fields (the follow-up form: amends, channel, outcome, note). */
  form?: URLSearchParams;
}

/** The token's MAC: what identifies one link (a second click of it is the same attempt). */
const linkKeyOf = (token: string): string => token.slice(token.indexOf('.') + 1);

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return (allowed as readonly (string | null)[]).includes(value) ? (value as T) : undefined;
}

export async function handleContactLink(request: ContactLinkRequest, deps: ContactLinkDeps): Promise<HttpAnswer> {
  const { leadId, token } = request;
  const check =
    token === undefined
      ? ({ ok: false, reason: 'malformed' } as const)
      : verifyContactToken(leadId, token, deps.clock(), deps.secrets);
  if (!check.ok) {
    deps.log(`Contact link refused: ${check.reason}`);
    return check.reason === 'expired' ? expiredLinkPage() : invalidLinkPage();
  }
  const { stored, events } = isUlid(leadId) ? await deps.store.readLead(leadId) : { stored: undefined, events: [] };
  if (stored === undefined || token === undefined) return unknownLeadPage();
  const lead = stored.record;
  if (request.method === 'GET') return confirmPage(lead, request.formAction, token);

  const linkKey = linkKeyOf(token);
  const click = events.find((e): e is AttemptEvent => e.kind === 'attempt' && e.linkKey === linkKey);
  const identity = { leadId, offerKey: lead.offerKey, identityKind: lead.identityKind };
  const amends = request.form?.get('amends');
  if (amends !== null && amends !== undefined) {
    // The anonymous form may only complete the attempt its own link recorded.
    if (click === undefined || click.eventId !== amends.trim().toUpperCase())
      return badFormPage('This form belongs to another link.');
    const channel = oneOf(request.form?.get('channel') ?? null, ATTEMPT_CHANNELS);
    const outcome = oneOf(request.form?.get('outcome') ?? null, ATTEMPT_OUTCOMES);
    if (channel === undefined || outcome === undefined) return badFormPage('Choose how, and what came of it.');
    const note = cleanMultilineText(request.form?.get('note') ?? '', MAX_NOTE_LENGTH);
    const event: AttemptEvent = {
      kind: 'attempt',
      eventId: deps.newId(),
      at: deps.clock().toISOString(),
      channel,
      outcome,
      ...(note === undefined || note === '' ? {} : { note }),
      via: 'email-link',
      amends: click.eventId,
    };
    const { record, handOver } = await recordChange(deps, identity, event);
    warnIfHandOffWaits((line) => deps.log(line), leadId, handOver);
    deps.log(`Lead ${leadId}: attempt ${click.eventId} completed from a reminder link`);
    return attemptSavedPage(record ?? lead);
  }

  // A decided lead is done: the link records nothing on it.
  if (isDecided(lead.status)) return alreadyMarkedPage(lead);
  let attemptId = click?.eventId;
  let record: LeadRecord | undefined = lead;
  if (attemptId === undefined) {
    const event = oneClickAttemptEvent(linkKey, deps.newId(), deps.clock().toISOString());
    const result = await recordChange(deps, identity, event);
    warnIfHandOffWaits((line) => deps.log(line), leadId, result.handOver);
    record = result.record;
    attemptId = event.eventId;
    deps.log(`Lead ${leadId}: attempt ${attemptId} recorded from a reminder link`);
  }
  if (record === undefined) return unknownLeadPage();
  // A decision that landed between our read and our event wins: the attempt never moves it back.
  if (isDecided(record.status)) return alreadyMarkedPage(record);
  return donePage(record, { action: request.formAction, token, attemptId, noteMax: MAX_NOTE_LENGTH });
}
