/**
 * `npm run migrate-records`: moves a store written by the earlier layout (records in a `Leads` table of their own)
 * to the current one (docs/storage.md, "Earlier layout"): each record of `Leads` is rebuilt from its events into its
 * lead's partition of `LeadEvents`, then the listing index catches up with them. The old `Leads` table is read,
 * never changed, so the command can run again (a rebuild of an up-to-date record writes nothing); delete the table
 * once the lead list shows every lead. `--dry-run` only counts.
 */
import path from 'node:path';

import { applyLocalSettings } from '../local-host/src/localSettings';
import { appSettings, policyOrDefault, recordSettings, valueOrThrow } from '../shared/config';
import type { StorageSettings, TableSettings } from '../shared/config/storage';
import type { LeadRecord } from '../shared/record/model';
import { type FollowUpPolicy, rebuildLead } from '../shared/record/rebuild';
import { createRecordStore } from '../shared/record/recordStore';
import { catchUpListing } from '../shared/sell/listing';
import { tableClient } from '../shared/storage/clients';
import { STORAGE_DEADLINES } from '../shared/storage/deadline';
import { isNotFound } from '../shared/storage/tableErrors';

export interface MigrationReport {
  /** Records found in the old table. */
  found: number;
  /** Rebuilt into the current layout (or already there). */
  migrated: number;
  failed: number;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const CATCH_UP_BATCH = 1000;

/** The earlier layout's records table: the listing's prefix with the old name. */
export function oldRecordsTable(tables: TableSettings['tables']): string {
  return `${tables.listing.slice(0, -'LeadListing'.length)}Leads`;
}

export async function migrateRecords(
  config: StorageSettings & TableSettings,
  policy: FollowUpPolicy,
  options: { dryRun: boolean; log: (line: string) => void },
): Promise<MigrationReport> {
  const store = createRecordStore(config, STORAGE_DEADLINES.background);
  const old = tableClient(config.storageConnection, oldRecordsTable(config.tables), STORAGE_DEADLINES.background);
  const report: MigrationReport = { found: 0, migrated: 0, failed: 0 };
  const rows = old.listEntities<{ leadId?: unknown; offerKey?: unknown; identityKind?: unknown }>({
    queryOptions: { select: ['leadId', 'offerKey', 'identityKind'] },
  });
  try {
    for await (const row of rows) {
      report.found++;
      if (options.dryRun) continue;
      const leadId = String(row.leadId);
      try {
        const identity = {
          leadId,
          offerKey: String(row.offerKey),
          identityKind: String(row.identityKind) as LeadRecord['identityKind'],
        };
        await rebuildLead(store, identity, policy);
        report.migrated++;
      } catch (e) {
        report.failed++;
        options.log(`Lead ${leadId} not migrated: ${errorText(e)}`);
      }
    }
  } catch (e) {
    // No old table: nothing to migrate.
    if (!isNotFound(e)) throw e;
  }
  if (!options.dryRun) {
    for (;;) {
      const { pending } = await catchUpListing(store, new Date(), CATCH_UP_BATCH);
      if (pending === 0) break;
    }
  }
  return report;
}

if (require.main === module) {
  const log = (line: string): void => console.log(line);
  applyLocalSettings(path.resolve(__dirname, '..', '..'), log);
  const dryRun = process.argv.includes('--dry-run');
  const settings = appSettings();
  migrateRecords(valueOrThrow(recordSettings(settings)), policyOrDefault(settings).policy, { dryRun, log }).then(
    (r) => {
      log(
        dryRun
          ? `${r.found} record(s) in the earlier layout (dry run, nothing written)`
          : `${r.migrated} of ${r.found} record(s) moved to the current layout; ${r.failed} failed`,
      );
      process.exit(r.failed > 0 ? 1 : 0);
    },
    (e: unknown) => {
      console.error(errorText(e));
      process.exit(1);
    },
  );
}
