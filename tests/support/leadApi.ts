/** Helpers for the lead API tests: typed JSON calls to the local host, crafted leads, and seeding at chosen times. */
import { ulid } from 'ulid';

import type { AppConfig } from '../../shared/config';
import { rebuildLead } from '../../shared/record/rebuild';
import { createRecordStore } from '../../shared/record/recordStore';
import { eventually } from './hostProcess';
import { enqueue, envelopeFor } from './leadFixtures';

export interface Person {
  firstName?: string;
  lastName?: string;
  company?: string;
  email?: string;
  phone?: string;
  title?: string;
}

/** A marketplace lead body; `source` is the part of LeadSource before the dash. */
export function leadBody(
  person: Person,
  offer: string,
  options: { action?: string; source?: string; offerTitle?: string } = {},
): string {
  return JSON.stringify({
    UserDetails: {
      FirstName: person.firstName ?? '',
      LastName: person.lastName ?? '',
      Email: person.email ?? '',
      Phone: person.phone ?? '',
      Country: 'US',
      Company: person.company ?? '',
      Title: person.title ?? '',
    },
    LeadSource: `${options.source ?? 'AzureMarketplace'}-${options.action ?? 'PLT'}|${offer}`,
    OfferTitle: options.offerTitle ?? offer,
    Description: '',
  });
}

/** Queues a lead as if received at `at`; its id is minted at that time, so the record lands in that month. */
export async function seedAt(config: AppConfig, rawBody: string, at: Date): Promise<string> {
  const id = ulid(at.getTime());
  await enqueue(config, envelopeFor(rawBody, at, id));
  return id;
}

export async function getJson<T>(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

export interface LeadSummary {
  leadId: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  status: string;
  stage: string;
  offerKey: string;
  eventCount: number;
  firstSeenAt: string;
  firstContactedAt?: string;
  statusBy?: string;
  flags: string[];
  isTest: boolean;
}

export interface ListBody {
  items: LeadSummary[];
  continuation: string | null;
  scanned: number;
}

/** Waits until the lead exists with at least `events` arrivals folded in. */
export async function waitForLead(baseUrl: string, leadId: string, events = 1): Promise<LeadSummary> {
  return eventually(
    `lead ${leadId} with ${events} event(s)`,
    async () => {
      const res = await fetch(`${baseUrl}/api/leads/${leadId}`);
      if (res.status !== 200) return undefined;
      const { lead } = (await res.json()) as { lead: LeadSummary };
      return lead.eventCount >= events ? lead : undefined;
    },
    30000,
  );
}

/** Every page of a listing, following continuation tokens. */
export async function listAll(baseUrl: string, query: string): Promise<{ items: LeadSummary[]; pages: number }> {
  const items: LeadSummary[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const url: string = `${baseUrl}/api/leads?${query}${token ? `&continuation=${encodeURIComponent(token)}` : ''}`;
    const { status, body } = await getJson<ListBody>(url);
    if (status !== 200) throw new Error(`${url} answered ${status}`);
    items.push(...body.items);
    token = body.continuation;
    if (++pages > 200) throw new Error('paging never ends');
  } while (token !== null);
  return { items, pages };
}

/**
 * Records a status change at a chosen past time: the same event + rebuild that PATCH performs, with the clock
 * moved, so speed-to-lead figures can be checked on exact numbers.
 */
export async function statusAt(
  config: AppConfig,
  leadId: string,
  status: 'contacted' | 'qualified' | 'disqualified',
  at: Date,
): Promise<void> {
  const store = createRecordStore(config);
  const stored = await store.getRecord(leadId);
  if (!stored) throw new Error(`No lead ${leadId}`);
  await store.appendEvent(leadId, {
    kind: 'status',
    eventId: ulid(at.getTime()),
    at: at.toISOString(),
    status,
    via: 'api',
  });
  await rebuildLead(
    store,
    { leadId, offerKey: stored.record.offerKey, identityKind: stored.record.identityKind },
    config,
  );
}
