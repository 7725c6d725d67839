/**
 * In-memory LeadStore and lock table for unit tests of the reminder run. They keep the contracts the run relies
 * on (ETag-guarded writes, due-hour partitions, 404/409/412 as status codes) so the logic is tested, not the fake.
 */
import type { TableEntity, TableEntityResult } from '@azure/data-tables';
import { dueBucket, followUpKeys, type FollowUpKind } from '../../shared/leads/keys';
import type { FollowUpEntry, LeadStore, RejectedMessage } from '../../shared/leads/leadStore';
import type { LeadEvent, LeadRecord } from '../../shared/leads/model';
import type { LockRow, LockTable } from '../../shared/reminders/runLease';

class StatusError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

interface StoredFollowUp {
  kind: FollowUpKind;
  leadId: string;
  dueAt: string;
  sentTo: string[];
  etag: string;
}

let etagCounter = 0;
const nextEtag = (): string => `W/"${++etagCounter}"`;

export class MemoryLeadStore implements LeadStore {
  readonly leads = new Map<string, { record: LeadRecord; etag: string }>();
  readonly events = new Map<string, Map<string, LeadEvent>>();
  readonly followUps = new Map<string, StoredFollowUp>();
  readonly identities = new Map<string, string>();
  readonly rejected: RejectedMessage[] = [];
  /** Makes the next markFollowUpSent calls throw, as a storage outage right after a send would. */
  failMarks = 0;
  /** Counts calls, so tests can check the run touched only due leads. */
  readonly calls = { getLead: 0, listEvents: 0 };

  // The run only reaches tables for the lock, and tests pass a MemoryLockTable for that.
  readonly tables = new Proxy({} as LeadStore['tables'], {
    get: (_, name) => {
      throw new Error(`MemoryLeadStore has no table client (${String(name)}); pass a lock table to the run`);
    },
  });

  private static key(kind: FollowUpKind, leadId: string, dueAt: string): string {
    const keys = followUpKeys(kind, leadId, new Date(dueAt));
    return `${keys.partitionKey}|${keys.rowKey}`;
  }

  async resolveLeadId(identityHash: string, candidate: string): Promise<string> {
    const existing = this.identities.get(identityHash);
    if (existing !== undefined) return existing;
    this.identities.set(identityHash, candidate);
    return candidate;
  }

  async deleteIdentity(identityHash: string): Promise<void> {
    this.identities.delete(identityHash);
  }

  async appendEvent(leadId: string, event: LeadEvent): Promise<'created' | 'exists'> {
    const list = this.events.get(leadId) ?? new Map<string, LeadEvent>();
    this.events.set(leadId, list);
    if (list.has(event.eventId)) return 'exists';
    list.set(event.eventId, structuredClone(event));
    return 'created';
  }

  async listEvents(leadId: string): Promise<LeadEvent[]> {
    this.calls.listEvents++;
    const list = [...(this.events.get(leadId)?.values() ?? [])];
    return list.sort((a, b) => (a.eventId < b.eventId ? -1 : 1)).map((e) => structuredClone(e));
  }

  async replaceEvent(leadId: string, event: LeadEvent): Promise<void> {
    const list = this.events.get(leadId) ?? new Map<string, LeadEvent>();
    this.events.set(leadId, list);
    list.set(event.eventId, structuredClone(event));
  }

  async getLead(leadId: string): Promise<{ record: LeadRecord; etag: string } | undefined> {
    this.calls.getLead++;
    const stored = this.leads.get(leadId);
    return stored ? { record: structuredClone(stored.record), etag: stored.etag } : undefined;
  }

  async saveLead(record: LeadRecord, etag: string | undefined): Promise<'saved' | 'conflict'> {
    const stored = this.leads.get(record.leadId);
    if (etag === undefined ? stored !== undefined : stored?.etag !== etag) return 'conflict';
    // Like Table Storage, undefined properties are not stored.
    const clean = JSON.parse(JSON.stringify(record)) as LeadRecord;
    this.leads.set(record.leadId, { record: clean, etag: nextEtag() });
    return 'saved';
  }

  async listLeadPage(): Promise<{ records: LeadRecord[]; lastRowKey?: string; more: boolean }> {
    return { records: [...this.leads.values()].map((l) => structuredClone(l.record)), more: false };
  }

  async putFollowUp(entry: FollowUpEntry): Promise<void> {
    const key = MemoryLeadStore.key(entry.kind, entry.leadId, entry.dueAt);
    if (this.followUps.has(key)) return;
    this.followUps.set(key, { kind: entry.kind, leadId: entry.leadId, dueAt: entry.dueAt, sentTo: [...entry.sentTo], etag: nextEtag() });
  }

  async deleteFollowUp(kind: FollowUpKind, leadId: string, dueAt: string): Promise<void> {
    this.followUps.delete(MemoryLeadStore.key(kind, leadId, dueAt));
  }

  async *dueFollowUps(now: Date): AsyncIterable<FollowUpEntry> {
    const bucket = dueBucket(now);
    const keys = [...this.followUps.keys()].filter((k) => k.split('|')[0]! <= bucket).sort();
    for (const key of keys) {
      const row = this.followUps.get(key);
      if (row === undefined || Date.parse(row.dueAt) > now.getTime()) continue;
      yield { kind: row.kind, leadId: row.leadId, dueAt: row.dueAt, sentTo: [...row.sentTo], etag: row.etag };
    }
  }

  async markFollowUpSent(entry: FollowUpEntry, recipients: string[]): Promise<'saved' | 'conflict'> {
    if (this.failMarks > 0) {
      this.failMarks--;
      throw new StatusError(503, 'storage unavailable');
    }
    const key = MemoryLeadStore.key(entry.kind, entry.leadId, entry.dueAt);
    const row = this.followUps.get(key);
    if (row === undefined || (entry.etag !== undefined && row.etag !== entry.etag)) return 'conflict';
    row.sentTo = [...new Set([...entry.sentTo, ...recipients])];
    row.etag = nextEtag();
    entry.sentTo = [...row.sentTo];
    entry.etag = row.etag;
    return 'saved';
  }

  async putRejected(rejected: RejectedMessage): Promise<void> {
    this.rejected.push(rejected);
  }

  followUpsOf(leadId: string): StoredFollowUp[] {
    return [...this.followUps.values()].filter((f) => f.leadId === leadId);
  }
}

type LockEntity = TableEntityResult<LockRow>;

export class MemoryLockTable implements LockTable {
  readonly rows = new Map<string, LockEntity>();
  tableExists = true;

  private static key(pk: string, rk: string): string {
    return `${pk}|${rk}`;
  }

  async createTable(): Promise<void> {
    this.tableExists = true;
  }

  async getEntity(partitionKey: string, rowKey: string): Promise<LockEntity> {
    const row = this.rows.get(MemoryLockTable.key(partitionKey, rowKey));
    if (!this.tableExists || row === undefined) throw new StatusError(404, 'ResourceNotFound');
    return { ...row };
  }

  async createEntity(entity: TableEntity<LockRow>): Promise<{ etag?: string }> {
    if (!this.tableExists) throw new StatusError(404, 'TableNotFound');
    const key = MemoryLockTable.key(entity.partitionKey, entity.rowKey);
    if (this.rows.has(key)) throw new StatusError(409, 'EntityAlreadyExists');
    const etag = nextEtag();
    this.rows.set(key, { ...entity, etag });
    return { etag };
  }

  async updateEntity(entity: TableEntity<LockRow>, _mode: 'Replace', options: { etag: string }): Promise<{ etag?: string }> {
    const key = MemoryLockTable.key(entity.partitionKey, entity.rowKey);
    const row = this.rows.get(key);
    if (row === undefined) throw new StatusError(404, 'ResourceNotFound');
    if (options.etag !== '*' && options.etag !== row.etag) throw new StatusError(412, 'UpdateConditionNotSatisfied');
    const etag = nextEtag();
    this.rows.set(key, { ...entity, etag });
    return { etag };
  }

  async deleteEntity(partitionKey: string, rowKey: string, options: { etag: string }): Promise<void> {
    const key = MemoryLockTable.key(partitionKey, rowKey);
    const row = this.rows.get(key);
    if (row === undefined) throw new StatusError(404, 'ResourceNotFound');
    if (options.etag !== '*' && options.etag !== row.etag) throw new StatusError(412, 'UpdateConditionNotSatisfied');
    this.rows.delete(key);
  }
}
