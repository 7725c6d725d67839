/** Helpers for tests that drive processing: envelopes on the real queue, and reading the real tables. */
import fs from 'node:fs';
import path from 'node:path';

import { odata } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';

import { type AppConfig, loadConfig } from '../../shared/config';
import { newUlid } from '../../shared/ids';
import type { LeadEnvelope } from '../../shared/marketplace/types';
import { createEnvelope, encodeEnvelope } from '../../shared/queue/envelope';
import { RECORD_ROW } from '../../shared/record/keys';
import type { LeadRecord } from '../../shared/record/model';
import type { RecordDeps } from '../../shared/record/recordLead';
import { entityToFollowUp, type FollowUpEntry, type RecordStore } from '../../shared/record/recordStore';
import { queueClient } from '../../shared/storage/clients';
import type { Telemetry } from '../../shared/telemetry';
import { eventually, repoRoot, sampleSettings } from './hostProcess';
import { type RawTables, testStore } from './testStore';

/** Telemetry that sends nothing: what processing is given while its settings are off. */
export const noTelemetry: Telemetry = {
  event: () => undefined,
  metric: () => undefined,
  flush: () => Promise.resolve(),
};

/** What `recordLead` needs to record a lead as processing does (24 h / 48 h, no effects, no log), and `more`. */
export function recordDeps(store: RecordStore, more: Partial<RecordDeps> = {}): RecordDeps {
  return {
    store,
    clock: () => new Date(),
    telemetry: noTelemetry,
    policy: { followUpHours: 24, escalateAfterHours: 48 },
    log: () => undefined,
    ...more,
  };
}

export function testConfig(connectionString: string, overrides: Record<string, string> = {}): AppConfig {
  const config = loadConfig({ ...sampleSettings(), AzureWebJobsStorage: connectionString, ...overrides });
  if (!config.ok) throw new Error(`Test settings are invalid: ${config.problems.map((p) => p.message).join('; ')}`);
  return config.value;
}

export function sample(name: string): string {
  return fs.readFileSync(path.join(repoRoot, 'samples', `${name}.json`), 'utf8');
}

/** An envelope as ingestLead makes it; `receivedAt` in the past is how tests move a lead through time. */
export function envelopeFor(rawBody: string, receivedAt = new Date(), id = newUlid()): LeadEnvelope {
  return createEnvelope(id, receivedAt, rawBody, { queryKeys: [] });
}

export function leadQueue(config: AppConfig): QueueClient {
  return queueClient(config.storageConnection, config.queueName);
}

export async function enqueue(config: AppConfig, envelope: LeadEnvelope): Promise<void> {
  const queue = leadQueue(config);
  await queue.createIfNotExists();
  await queue.sendMessage(encodeEnvelope(envelope));
}

export function leadWith(overrides: {
  email?: string;
  offer?: string;
  action?: string;
  firstName?: string;
  phone?: string;
  company?: string;
}): string {
  return JSON.stringify({
    UserDetails: {
      FirstName: overrides.firstName ?? 'Test',
      LastName: 'Person',
      Email: overrides.email ?? '',
      Phone: overrides.phone ?? '',
      Country: 'US',
      Company: overrides.company ?? 'Contoso',
      Title: '',
    },
    LeadSource: `AzureMarketplace-${overrides.action ?? 'INS'}|${overrides.offer ?? 'contoso.widgets'}`,
    OfferTitle: 'Widgets',
    Description: '',
  });
}

export async function allLeads(config: AppConfig): Promise<LeadRecord[]> {
  const store = testStore(config);
  await store.ensureTables();
  const out: LeadRecord[] = [];
  // Each lead's partition holds its record under RECORD_ROW.
  const rows = store.tables.events.listEntities({ queryOptions: { filter: odata`RowKey eq ${RECORD_ROW}` } });
  for await (const e of rows) {
    const got = await store.getRecord(String(e.partitionKey));
    if (got) out.push(got.record);
  }
  return out;
}

/** Waits until the lead holding `eventId` in its history has `eventCount` events. */
export async function waitForRecord(
  config: AppConfig,
  predicate: (records: LeadRecord[]) => boolean,
  what: string,
  timeoutMs = 30000,
): Promise<LeadRecord[]> {
  return eventually(
    what,
    async () => {
      const records = await allLeads(config);
      return predicate(records) ? records : undefined;
    },
    timeoutMs,
  );
}

/** The follow-up entries of one lead, read from the real FollowUps table. */
export async function followUpsOf(
  store: { tables: Pick<RawTables, 'followUps'> },
  leadId: string,
): Promise<FollowUpEntry[]> {
  const out: FollowUpEntry[] = [];
  const rows = store.tables.followUps.listEntities<Record<string, unknown>>({
    queryOptions: { filter: odata`leadId eq ${leadId}` },
  });
  for await (const row of rows) out.push(entityToFollowUp(row));
  return out;
}
