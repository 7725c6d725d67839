/**
 * Where a customer is in an offer's funnel. Microsoft's journey is Contact me (interest) → free trial or test
 * drive (trial) → Get it now / Create (active), and the same person sends a lead at each step, so a record's
 * stage is the furthest step any of its leads reached: leads can arrive late or be replayed, and a late
 * "Contact me" must not make an active customer look like a cold one.
 *
 * doNotContact: a DNC lead means a partner cross-listed on the app page was asked for contact; Microsoft calls
 * it informational. It therefore ranks below every real stage: a record whose only leads are DNC is
 * doNotContact, a record that already has a real stage keeps it when a DNC arrives, and a real lead arriving
 * on a DNC-only record moves it to the real stage.
 */
import type { LeadActionKind, ParsedLeadSource } from './leadSource';

export type Stage = 'interest' | 'trial' | 'active' | 'doNotContact';

export const STAGE_RANK: Readonly<Record<Stage, number>> = {
  doNotContact: 0,
  interest: 1,
  trial: 2,
  active: 3,
};

/** How people read a stage, in the dashboard and in emails alike. */
export const STAGE_LABEL: Readonly<Record<Stage, string>> = {
  interest: 'Interest',
  trial: 'Trial',
  active: 'Active customer',
  doNotContact: 'Do not contact',
};

export function stageForAction(action: LeadActionKind): Stage {
  switch (action) {
    case 'PLT':
      return 'interest';
    case 'StartTestDrive':
    case 'Trial':
      return 'trial';
    case 'INS':
    case 'Create':
      return 'active';
    case 'DNC':
      return 'doNotContact';
    case 'Unknown':
      // Someone contacted us about the offer, and that is all we know: the lowest real stage, so it is followed up.
      return 'interest';
  }
}

/** Like stageForAction, but a lead from the (2018) TestDrive source with no usable action is a trial. */
export function stageForLead(parsed: Pick<ParsedLeadSource, 'action' | 'source'>): Stage {
  if (parsed.action === 'Unknown' && parsed.source === 'TestDrive') return 'trial';
  return stageForAction(parsed.action);
}

/** The stage a record has after both events, whatever order they arrived in (commutative and idempotent). */
export function higherStage(a: Stage, b: Stage): Stage {
  return STAGE_RANK[b] > STAGE_RANK[a] ? b : a;
}

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(STAGE_RANK, value);
}
