/**
 * The "Mark as contacted" link: the token decides whether the request may see the lead at all (checked before
 * the lookup, so a forged link cannot probe which ids exist), GET only shows, POST records the contact.
 */

import type { Clock } from '../clock';
import type { HttpAnswer } from '../http/answer';
import type { IntentQueues } from '../record/intents';
import { isUlid } from '../record/keys';
import { patchLead } from '../record/patchLead';
import type { FollowUpPolicy, SaveEffects } from '../record/rebuild';
import type { RecordStore } from '../record/recordStore';
import {
  alreadyMarkedPage,
  confirmPage,
  donePage,
  expiredLinkPage,
  invalidLinkPage,
  unknownLeadPage,
} from './contactPages';
import { type ContactLinkSecrets, verifyContactToken } from './contactToken';

export interface ContactLinkDeps {
  store: RecordStore;
  clock: Clock;
  newId: () => string;
  policy: FollowUpPolicy;
  secrets: ContactLinkSecrets;
  log(message: string): void;
  /** The hand-off the change owes (saveEffects.ts changeEffects), and its queue. */
  effects?: SaveEffects;
  queues?: IntentQueues;
}

export interface ContactLinkRequest {
  method: 'GET' | 'POST';
  leadId: string;
  token: string | undefined;
  /** Where the confirmation form posts: the same path and token. */
  formAction: string;
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
  const stored = isUlid(leadId) ? await deps.store.getRecord(leadId) : undefined;
  if (stored === undefined || token === undefined) return unknownLeadPage();
  const lead = stored.record;

  if (request.method === 'GET') return confirmPage(lead, request.formAction, token);
  // A second click, or a lead someone already qualified: never move it back to "contacted". The check here
  // answers most such clicks; onlyIf settles the race with a change landing between this read and our event.
  if (lead.status !== 'new') return alreadyMarkedPage(lead);
  const changed = await patchLead(
    {
      store: deps.store,
      clock: deps.clock,
      newId: deps.newId,
      policy: deps.policy,
      effects: deps.effects,
      queues: deps.queues,
    },
    leadId,
    { status: { status: 'contacted', via: 'email-link', onlyIf: 'new' } },
  );
  if (!changed.ok) return unknownLeadPage();
  if (changed.handOverProblem !== undefined)
    deps.log(`Lead ${leadId}: the CRM hand-off waits for its next change (${changed.handOverProblem})`);
  if (changed.record.status !== 'contacted') return alreadyMarkedPage(changed.record);
  deps.log(`Lead ${leadId} marked as contacted from a reminder link`);
  return donePage(changed.record);
}
