/**
 * Phase 3 of a reminder run: each digest rendered and sent, its entries marked for that recipient only once the
 * mail server accepted it. The lease is renewed before every email; once it is lost, nothing more is sent.
 */
import { DEFAULT_TRIAL_DAYS, type TrialDays } from '../../config/nurture';
import type { Stage } from '../../marketplace/stage';
import type { LeadEvent } from '../../record/model';
import { withoutRepeats } from '../../record/projection';
import { DAY_MS } from '../../time';
import { contactLinkUrl, signContactToken } from '../contactToken';
import { type DigestLead, type DigestStage, renderDigest } from '../digest';
import { trialView } from '../recordTrial';
import type { RunLease } from '../runLease';
import type { DigestResult, ReminderDeps, ReminderSettings } from '../runReminders';
import { hasAddress } from './addresses';
import { type Candidate, errorText } from './candidate';
import type { DigestPlan } from './planDigests';
import type { RunReads } from './runReads';

function digestStage(stage: Stage): DigestStage {
  // Do-not-contact records are never due (needsFollowUp), so they never reach a digest; 'interest' is a floor.
  return stage === 'doNotContact' ? 'interest' : stage;
}

function toDigestLead(c: Candidate, history: LeadEvent[], now: Date, config: ReminderSettings): DigestLead {
  const r = c.record;
  const expires = new Date(now.getTime() + config.contactLink.ttlDays * DAY_MS);
  const token = signContactToken(r.leadId, expires, config.contactLink.secret);
  const trial = trialView(
    r,
    {
      offerTrialDays: config.offerTrialDays ?? new Map<string, Partial<TrialDays>>(),
      defaultTrialDays: config.defaultTrialDays ?? DEFAULT_TRIAL_DAYS,
    },
    now,
  );
  const touch = c.touch;
  return {
    leadId: r.leadId,
    stage: digestStage(r.stage),
    firstName: r.firstName,
    lastName: r.lastName,
    title: r.title,
    company: r.company,
    country: r.country,
    email: r.email,
    phone: r.phone,
    phoneE164: r.phoneE164,
    offerTitle: r.offerTitle,
    offerId: r.offerId,
    firstSeenAt: new Date(r.firstSeenAt),
    // The customer's marketplace actions; status and reminder events are ours, not the customer's.
    history: withoutRepeats(history).flatMap((e) =>
      e.kind === 'arrival' ? [{ at: new Date(e.at), source: e.source, action: e.action, stage: e.stage }] : [],
    ),
    contactUrl: contactLinkUrl(config.publicBaseUrl, r.leadId, token),
    escalation: c.entry.kind === 'escalate',
    ...(touch === undefined ? {} : { touch: { step: touch.step, of: touch.of, last: touch.last } }),
    ...(trial === undefined ? {} : { trial: { label: trial.label, leftMs: trial.leftMs } }),
  };
}

async function markSent(deps: ReminderDeps, digest: DigestPlan): Promise<void> {
  const { store, log } = deps;
  for (const c of digest.items) {
    try {
      const marked = await store.markFollowUpSent(c.entry, [digest.recipient]);
      if (marked === 'conflict') {
        // The entry changed or vanished under us (the lead was contacted meanwhile): nothing left to record.
        log.warn(`Lead ${c.entry.leadId}: ${c.entry.kind} entry changed during the run; its delivery was not recorded`);
      }
    } catch (e) {
      // The one-repeat window: the mail went out but we could not record it, so the next run sends it again.
      log.error(
        `Lead ${c.entry.leadId}: could not record the accepted ${c.entry.kind} (${errorText(e)}); the next run may repeat it once`,
      );
    }
  }
}

export async function sendDigests(
  deps: ReminderDeps,
  reads: RunReads,
  lease: RunLease,
  digests: readonly DigestPlan[],
  now: Date,
): Promise<DigestResult[]> {
  const { mailer, clock, config, log } = deps;
  const results: DigestResult[] = [];
  let leaseLost = false;
  for (const [index, digest] of digests.entries()) {
    const leadIds = digest.items.map((c) => c.entry.leadId);
    const label = `Digest ${index + 1}/${digests.length} (${digest.kind}, ${leadIds.length} lead(s): ${leadIds.join(', ')})`;
    const result: DigestResult = { kind: digest.kind, recipient: digest.recipient, leadIds, outcome: 'notSent' };
    results.push(result);
    if (leaseLost || !(await lease.renew(clock()))) {
      if (!leaseLost) {
        log.error(
          'The reminder lease was lost (this run outlived it and another run took over); stopping before the next email',
        );
      }
      leaseLost = true;
      continue;
    }
    const leads: DigestLead[] = [];
    for (const c of digest.items) leads.push(toDigestLead(c, await reads.eventsOf(c.entry.leadId), now, config));
    const rendered = renderDigest(leads, now, {
      escalation: digest.kind === 'escalate',
      escalateAfterHours: config.escalateAfterHours,
    });
    try {
      const sent = await mailer.send({ to: [digest.recipient], ...rendered });
      if (!hasAddress(sent.accepted, digest.recipient)) throw new Error('the mail server did not accept the recipient');
    } catch (e) {
      result.outcome = 'failed';
      result.error = errorText(e);
      log.error(`${label} was not accepted: ${result.error}. Nothing is marked; the leads stay due for the next run`);
      continue;
    }
    result.outcome = 'sent';
    log.info(`${label} accepted by the mail server`);
    await markSent(deps, digest);
  }
  return results;
}
