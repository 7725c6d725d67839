/** The OpsState table: small rows of the app's own state, each read and written whole with its ETag. */
import type { TableClient } from '@azure/data-tables';

import { once } from '../storage/clients';
import { saveEntity } from '../storage/conditionalWrite';
import { isNotFound } from '../storage/tableErrors';
import type { SilenceState } from './silence';
import type { SilenceStateStore } from './silenceRun';

const SILENCE = { partitionKey: 'silence', rowKey: 'state' };

function silenceState(text: unknown): SilenceState {
  if (typeof text !== 'string') return {};
  const value = JSON.parse(text) as SilenceState;
  const alarm = value.alarm;
  return typeof alarm?.lastLeadAt === 'string' && typeof alarm.sentAt === 'string'
    ? { alarm: { lastLeadAt: alarm.lastLeadAt, sentAt: alarm.sentAt } }
    : {};
}

export function tableSilenceState(table: TableClient): SilenceStateStore {
  const ensure = once(() => table.createTable());
  return {
    async read() {
      try {
        const row = await table.getEntity<{ state?: string }>(SILENCE.partitionKey, SILENCE.rowKey);
        return { state: silenceState(row.state), etag: row.etag };
      } catch (e) {
        // No row (or no table) yet: no alarm was ever sent.
        if (isNotFound(e)) return { state: {} };
        throw e;
      }
    },
    async write(state, etag) {
      await ensure();
      return saveEntity(table, { ...SILENCE, state: JSON.stringify(state) }, etag);
    },
  };
}
