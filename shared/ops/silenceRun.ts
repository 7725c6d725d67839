/**
 * One check of the silence alarm (silence.ts decides, silenceMail.ts words it): reads the newest arrivals through a
 * port, compares them with the alarm's state, and sends the alarm or the "leads are back" note to ops.
 *
 * The note is sent before the state that remembers it is written: a failed send leaves the state as it was, so the
 * next check sends it again rather than never. The window is a crash (or a failed write) between the mail server
 * taking the note and the write: then the next check (an hour later) sends it once more. docs/alerts.md.
 */
import type { Clock } from '../clock';
import type { Mailer } from '../mail/mailer';
import { decideSilence, type LeadArrivals, type SilenceState } from './silence';
import { renderLeadsBack, renderSilenceAlarm } from './silenceMail';

export interface SilenceStateStore {
  read(): Promise<{ state: SilenceState; etag?: string }>;
  /** Creates when `etag` is undefined, else replaces only if unchanged since read. */
  write(state: SilenceState, etag: string | undefined): Promise<'saved' | 'conflict'>;
}

export interface SilenceRunDeps {
  /** The newest real and test arrivals, from wherever they are cheapest to read. */
  lastArrivals(): Promise<LeadArrivals>;
  state: SilenceStateStore;
  mailer: Mailer;
  /** silenceRecipients(): OPS_EMAIL, else ESCALATION_EMAIL, else the default reminder recipients. */
  recipients: readonly string[];
  /** SILENCE_ALERT_DAYS; 0 turns the check off. */
  days: number;
  clock: Clock;
}

export type SilenceRunOutcome =
  { action: 'none' } | { action: 'alarm' | 'back'; recipients: number; stateSaved: boolean };

export async function runSilenceCheck(deps: SilenceRunDeps): Promise<SilenceRunOutcome> {
  if (!(deps.days > 0)) return { action: 'none' };
  const arrivals = await deps.lastArrivals();
  const { state, etag } = await deps.state.read();
  const now = deps.clock();
  const decision = decideSilence(arrivals, state, now, deps.days);
  if (decision.action === 'none') return decision;
  if (deps.recipients.length === 0) throw new Error('The silence alarm has nobody to tell: set OPS_EMAIL');
  const rendered =
    decision.action === 'alarm'
      ? renderSilenceAlarm({
          silentSince: new Date(decision.silentSince),
          now,
          days: decision.days,
          lastTestLeadAt: arrivals.lastTestLeadAt === undefined ? undefined : new Date(arrivals.lastTestLeadAt),
        })
      : renderLeadsBack({ silentSince: new Date(decision.silentSince), backAt: new Date(decision.backAt) });
  await deps.mailer.send({ to: [...deps.recipients], ...rendered });
  // A conflict means another check wrote first (timers run once, so only a manual run overlaps): its state stands.
  const saved = await deps.state.write(decision.next, etag);
  return { action: decision.action, recipients: deps.recipients.length, stateSaved: saved === 'saved' };
}
