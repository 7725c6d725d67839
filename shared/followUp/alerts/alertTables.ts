/**
 * Where alert delivery keeps its state (docs/storage.md): the burst state of each recipient, the alerts held for
 * a digest, and what each alert or digest already sent. Recipients are keyed by a hash of their address (an
 * address may hold characters a key may not, and a key shows up in storage logs).
 */
import { createHash } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import type { AlertEnvelope } from '../../queue/alertEnvelope';
import { parseAlertMessage } from '../../queue/alertEnvelope';
import { once } from '../../storage/clients';
import { saveEntity } from '../../storage/conditionalWrite';
import { isNotFound } from '../../storage/tableErrors';
import { keyedTurns } from '../../turns';
import { addressKey } from '../run/addresses';
import { type BurstState, EMPTY_BURST } from './burst';

/** The same key for one mailbox however its address is spelled (case, punycode). */
export function recipientKey(address: string): string {
  return createHash('sha256').update(addressKey(address.trim()), 'utf8').digest('hex').slice(0, 32);
}

export interface BurstStore {
  /**
   * Runs `task` after this store's earlier tasks for the recipient: an instance's invocations update one
   * recipient's state in turn, and only other instances meet at its ETag.
   */
  inTurn<T>(recipient: string, task: () => Promise<T>): Promise<T>;
  read(recipient: string): Promise<{ state: BurstState; etag?: string }>;
  /** Creates when `etag` is undefined, else replaces only if unchanged since read. */
  write(recipient: string, state: BurstState, etag: string | undefined): Promise<'saved' | 'conflict'>;
  /** Keeps a held alert's message until its digest is sent. Idempotent. */
  hold(alert: AlertEnvelope): Promise<void>;
  /** The held alerts of these ids that are still kept, in no particular order. */
  held(recipient: string, alertIds: readonly string[]): Promise<AlertEnvelope[]>;
  release(recipient: string, alertIds: readonly string[]): Promise<void>;
}

export type Channel = 'email' | 'teams';

export interface SentMarks {
  /** `id`: an alert id, or `digest-<digestId>`. */
  has(id: string, channel: Channel, recipient: string): Promise<boolean>;
  mark(id: string, channel: Channel, recipient: string, at: Date): Promise<void>;
}

const STATE_ROW = 'state';
const heldRow = (alertId: string): string => `held-${alertId}`;

function isBurstState(value: unknown): value is BurstState {
  const s = value as BurstState;
  return typeof s === 'object' && s !== null && Array.isArray(s.recent) && Array.isArray(s.sealed);
}

export function tableBurstStore(table: TableClient): BurstStore {
  const ensure = once(() => table.createTable());
  const turns = keyedTurns();
  return {
    inTurn: (recipient, task) => turns(recipientKey(recipient), task),
    async read(recipient) {
      await ensure();
      try {
        const row = await table.getEntity<{ state?: string }>(recipientKey(recipient), STATE_ROW);
        const state: unknown = JSON.parse(row.state ?? 'null');
        if (!isBurstState(state)) throw new Error(`The burst state of a recipient in ${table.tableName} is malformed`);
        return { state, etag: row.etag };
      } catch (e) {
        if (isNotFound(e)) return { state: EMPTY_BURST };
        throw e;
      }
    },
    async write(recipient, state, etag) {
      await ensure();
      return saveEntity(
        table,
        { partitionKey: recipientKey(recipient), rowKey: STATE_ROW, state: JSON.stringify(state) },
        etag,
      );
    },
    async hold(alert) {
      await ensure();
      await table.upsertEntity(
        { partitionKey: recipientKey(alert.recipient), rowKey: heldRow(alert.alertId), message: JSON.stringify(alert) },
        'Replace',
      );
    },
    async held(recipient, alertIds) {
      await ensure();
      const out: AlertEnvelope[] = [];
      for (const alertId of alertIds) {
        try {
          const row = await table.getEntity<{ message?: string }>(recipientKey(recipient), heldRow(alertId));
          const parsed = parseAlertMessage(row.message ?? '');
          if (parsed.ok && parsed.message.kind === 'alert') out.push(parsed.message);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      return out;
    },
    async release(recipient, alertIds) {
      for (const alertId of alertIds) {
        await table.deleteEntity(recipientKey(recipient), heldRow(alertId)).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      }
    },
  };
}

export function tableSentMarks(table: TableClient): SentMarks {
  const ensure = once(() => table.createTable());
  const keys = (id: string, channel: Channel, recipient: string): { partitionKey: string; rowKey: string } => ({
    partitionKey: id,
    rowKey: `${channel}-${recipientKey(recipient)}`,
  });
  return {
    async has(id, channel, recipient) {
      await ensure();
      const k = keys(id, channel, recipient);
      try {
        await table.getEntity(k.partitionKey, k.rowKey);
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    },
    async mark(id, channel, recipient, at) {
      await ensure();
      await table.upsertEntity({ ...keys(id, channel, recipient), sentAt: at.toISOString() }, 'Replace');
    },
  };
}
