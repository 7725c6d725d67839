/**
 * `GET /api/health`: storage reachability, poisoned leads waiting, and the capabilities whose settings are wrong, by
 * setting name: what an uptime probe and an operator need, no values and no secrets.
 */
import type { MisconfiguredCapability } from './config';
import { type LeadFlowFacts, type LeadFlowHealth, leadFlowHealth } from './ops/leadFlowHealth';
import { isStorageTimeout, STORAGE_DEADLINES } from './storage/deadline';

export interface HealthReport {
  ok: boolean;
  checks: { name: string; ok: boolean; error?: string }[];
  /**
   * Leads that failed processing `maxDequeueCount` times and wait in the PoisonedLeads table for an operator's
   * `npm run replay-poison` (null when storage could not be asked). Alert on anything above 0.
   */
  poisonedLeads: number | null;
  misconfigured: MisconfiguredCapability[];
  /** Last real and test lead, poison queue depth, rejected count, silence alarm: names and times only. */
  leadFlow: LeadFlowHealth;
}

async function check(name: string, probe: () => Promise<unknown>): Promise<HealthReport['checks'][number]> {
  try {
    await probe();
    return { name, ok: true };
  } catch (e) {
    if (isStorageTimeout(e)) return { name, ok: false, error: `timeout after ${e.deadlineMs} ms` };
    // An identity-based connection whose identity gets no token (not assigned to the app, a wrong client id).
    if (e instanceof Error && /^(CredentialUnavailable|Authentication(Required)?)Error$/.test(e.name))
      return { name, ok: false, error: `${e.name}: no token from the app's identity` };
    // The endpoint is anonymous: say what kind of failure (ECONNREFUSED, 403 AuthorizationFailure…), never the
    // account's host name or the SDK's full message. Operators find those in the function logs.
    const err = e as { code?: unknown; statusCode?: unknown };
    const parts = [err.statusCode, err.code].filter((p) => typeof p === 'string' || typeof p === 'number');
    return { name, ok: false, error: parts.length > 0 ? parts.join(' ') : 'unreachable' };
  }
}

/** What health asks storage; each call gives up at its deadline (shared/storage/deadline.ts). */
export interface HealthProbes {
  /** Reaches the queue service (the queue may not exist before the first lead). */
  queue(): Promise<unknown>;
  /** Reaches the table service. */
  tables(): Promise<unknown>;
  /** Leads kept in PoisonedLeads. */
  poisonedLeads(): Promise<number>;
  /** The facts behind `leadFlow`; each one storage could not give is left out or null. */
  leadFlow(): Promise<LeadFlowFacts>;
}

/** What `leadFlow` says when nothing could be read: no times, no counts, the alarm's setting unknown. */
const UNKNOWN_FLOW: LeadFlowFacts = { silenceAlertDays: null };

/** The facts, or UNKNOWN_FLOW once the health deadline passes: several reads must not add up past it. */
async function leadFlowWithin(probes: HealthProbes, ms: number): Promise<LeadFlowHealth> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<LeadFlowFacts>((resolve) => (timer = setTimeout(() => resolve(UNKNOWN_FLOW), ms)));
  try {
    return leadFlowHealth(await Promise.race([probes.leadFlow().catch(() => UNKNOWN_FLOW), late]));
  } finally {
    clearTimeout(timer);
  }
}

/** `probes` is undefined when the storage settings themselves are wrong: then nothing can be asked. */
export async function checkHealth(
  probes: HealthProbes | undefined,
  misconfigured: MisconfiguredCapability[],
): Promise<HealthReport> {
  if (probes === undefined) {
    const unprobed = { ok: false, error: 'misconfigured' };
    const checks = [
      { name: 'queue', ...unprobed },
      { name: 'table', ...unprobed },
    ];
    return { ok: false, checks, poisonedLeads: null, misconfigured, leadFlow: leadFlowHealth(UNKNOWN_FLOW) };
  }
  const poisoned = probes.poisonedLeads().catch(() => null);
  const leadFlow = leadFlowWithin(probes, STORAGE_DEADLINES.health);
  const checks = await Promise.all([check('queue', () => probes.queue()), check('table', () => probes.tables())]);
  return {
    ok: checks.every((c) => c.ok) && misconfigured.length === 0,
    checks,
    poisonedLeads: await poisoned,
    misconfigured,
    leadFlow: await leadFlow,
  };
}
