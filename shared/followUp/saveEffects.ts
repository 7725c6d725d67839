/**
 * What a save of a record owes beyond its own event, decided inside the save (rebuild.ts `SaveEffects`) so that it
 * is stored in the same transaction as the change that causes it:
 *  - an arrival gets the record an owner when it has none (owners.ts: rotation, sticky by account and person);
 *  - an arrival that alerts (alerts/decision.ts) owes the owner an alert;
 *  - every change owes the CRM a hand-off of the record's new version when WEBHOOK_URL is set.
 * Alerts and hand-offs are intents (record/intents.ts), handed to their queues after the save.
 */
import type { Clock } from '../clock';
import type { AlertEnvelope } from '../queue/alertEnvelope';
import { personHash, type RecordAccount, recordAccount } from '../record/accountIndex';
import type { Intent } from '../record/intents';
import type { LeadArrivalEvent, LeadEvent, LeadRecord } from '../record/model';
import type { Effects, SaveChange, SaveEffects } from '../record/rebuild';
import { decideAlert } from './alerts/decision';
import { automaticOwnerEvent, projectOwner } from './ownerEvents';
import { decideOwner, rotationKey, rotationOf } from './owners';
import { recipientsFor } from './routing';

export interface OwnerRoutes {
  /** REMINDER_ROUTES: offer key → recipients. */
  routes: ReadonlyMap<string, string[]>;
  /** REMINDER_RECIPIENTS. */
  defaults: readonly string[];
}

export interface EffectSettings {
  /** Undefined while the owner routing is wrong: no owner is assigned (the next arrival assigns one). */
  owners?: OwnerRoutes;
  /** Alerts are queued: false only when ALERT_ON_NEW_LEAD is false (config/delivery.ts IntentSwitches). */
  alertOnNewLead: boolean;
  /** WEBHOOK_URL is set: every change is handed off. */
  handOff: boolean;
  clock: Clock;
  newId: () => string;
  /** The line for an alert about a person of an account ("3rd person from …"); undefined: no line. */
  accountLine?: (record: LeadRecord, account: RecordAccount | undefined) => Promise<string | undefined>;
}

/** Every address the settings name: whom a person may hand a lead to. */
export function knownRecipients(owners: OwnerRoutes): string[] {
  return [...owners.defaults, ...[...owners.routes.values()].flat()];
}

/** The owner event an arrival's save adds, if the record needs an owner. */
export function ownerEventFor(
  change: SaveChange,
  owners: OwnerRoutes,
  accountKey: string | undefined,
  at: string,
  newId: () => string,
): LeadEvent | undefined {
  const { next } = change;
  const current = projectOwner(change.events);
  const decision = decideOwner({
    recipients: recipientsFor(next, owners.routes, [...owners.defaults]),
    known: knownRecipients(owners),
    current: current === undefined ? undefined : { owner: current.owner, via: current.via },
    rotation: rotationOf(rotationKey({ accountHash: accountKey, personHash: personHash(next), leadId: next.leadId })),
  });
  return decision.action === 'assign' ? automaticOwnerEvent(decision, newId(), at) : undefined;
}

function handOffIntent(change: SaveChange, at: string): Intent {
  return {
    kind: 'handOff',
    message: { v: 1, leadId: change.next.leadId, version: change.version, created: change.before === undefined, at },
  };
}

/** An arrival's owner (when the record has none) and its alert, added to `effects`. */
async function ownerAndAlert(
  effects: Effects,
  change: SaveChange,
  arrival: LeadArrivalEvent,
  settings: EffectSettings,
  at: string,
): Promise<void> {
  const account = await recordAccount(change.next);
  let owner = change.next.owner;
  if (settings.owners !== undefined) {
    const event = ownerEventFor(change, settings.owners, account?.hash, at, settings.newId);
    if (event?.kind === 'owner') {
      effects.events.push(event);
      owner = event.owner;
    }
  }
  // The owner the record has or was just given: an alert needs a recipient, not the owner routing.
  if (owner === undefined) return;
  const after = { ...change.next, owner };
  const decision = decideAlert(
    { before: change.before, after, event: arrival },
    { onNewLead: settings.alertOnNewLead },
  );
  if (!decision.alert) return;
  const message: AlertEnvelope = {
    v: 1,
    kind: 'alert',
    alertId: arrival.eventId,
    leadId: change.next.leadId,
    recipient: owner,
    reason: decision.reason,
    stage: decision.stage,
    raisedAt: at,
  };
  if (decision.previousStage !== undefined) message.previousStage = decision.previousStage;
  const line = await settings.accountLine?.(after, account);
  if (line !== undefined) message.accountLine = line;
  effects.intents.push({ kind: 'alert', message });
}

/** For a save that adds an arrival (processing). */
export function arrivalEffects(settings: EffectSettings): SaveEffects {
  return async (change) => {
    const at = settings.clock().toISOString();
    const effects: Effects = { events: [], intents: [] };
    if (change.added?.kind === 'arrival') await ownerAndAlert(effects, change, change.added, settings, at);
    if (settings.handOff) effects.intents.push(handOffIntent(change, at));
    return effects;
  };
}

/** For any other change of a record (status, owner, reminder): the hand-off only. */
export function changeEffects(settings: Pick<EffectSettings, 'handOff' | 'clock'>): SaveEffects | undefined {
  if (!settings.handOff) return undefined;
  return (change) => Promise.resolve({ events: [], intents: [handOffIntent(change, settings.clock().toISOString())] });
}
