/**
 * Who is reminded about a lead. Routes are configured by offer id or offer title (REMINDER_ROUTES, keys already
 * lower-cased by config.ts); the id wins because titles get renamed in Partner Center while ids never change.
 */
export interface RoutableLead {
  publisherId?: string;
  offerId?: string;
  offerTitle?: string;
}

function routeKey(value: string | undefined): string | undefined {
  const key = value?.trim().toLowerCase();
  return key === undefined || key === '' ? undefined : key;
}

/** Keeps the first spelling of each address; addresses differing only in case are the same mailbox in practice. */
function uniqueAddresses(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of addresses) {
    const address = raw.trim();
    const key = address.toLowerCase();
    if (address === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(address);
  }
  return out;
}

/**
 * The keys a per-offer setting (REMINDER_ROUTES, OFFER_TRIAL_DAYS) may name a lead's offer by, in the order they
 * are tried. Partner Center shows offers as `publisher.offer`, so that is what publishers write; the bare id and
 * the title also work.
 */
export function offerSettingKeys(lead: RoutableLead): string[] {
  const qualified = lead.publisherId && lead.offerId ? `${lead.publisherId}.${lead.offerId}` : undefined;
  return [routeKey(qualified), routeKey(lead.offerId), routeKey(lead.offerTitle)].filter((k) => k !== undefined);
}

export function recipientsFor(lead: RoutableLead, routes: ReadonlyMap<string, string[]>, defaults: string[]): string[] {
  for (const key of offerSettingKeys(lead)) {
    const routed = routes.get(key);
    if (routed !== undefined && routed.length > 0) return uniqueAddresses(routed);
  }
  return uniqueAddresses(defaults);
}

/**
 * One entry per recipient with every lead they should hear about, so each person gets a single digest. A lead
 * routed to several people appears under each. Map keys are the first spelling seen of each address; insertion
 * order follows the leads, so output is deterministic.
 */
export function groupByRecipient<T extends RoutableLead>(
  leads: readonly T[],
  routes: ReadonlyMap<string, string[]>,
  defaults: string[],
): Map<string, T[]> {
  const byKey = new Map<string, { address: string; leads: T[] }>();
  for (const lead of leads) {
    for (const address of recipientsFor(lead, routes, defaults)) {
      const key = address.toLowerCase();
      const group = byKey.get(key);
      if (group === undefined) byKey.set(key, { address, leads: [lead] });
      else group.leads.push(lead);
    }
  }
  return new Map([...byKey.values()].map((g) => [g.address, g.leads]));
}
