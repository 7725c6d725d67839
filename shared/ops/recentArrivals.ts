/**
 * The newest real and test arrivals, read from the lead records newest first (the record store's listing: month
 * partitions from now back, each newest record first), stopping at the first real lead (and, when asked, the first
 * test lead) or after `maxRecords`.
 * A record counts with its last-seen time, as a test record when it holds a test lead.
 *
 * Records are ordered by when they were created, not by their last arrival: a returning customer's new lead merged
 * into a record older than the newest real one is not seen here, so this can only make the last real lead look
 * older than it is. The step that writes alert intents will keep the newest arrivals in one row as it processes
 * leads (observeArrival in silence.ts), a cheaper and exact source for the same port. docs/alerts.md.
 */
import type { RecordStore } from '../record/recordStore';
import { monthOf, previousMonth } from '../sell/leadWalk';
import { catchUpListing } from '../sell/listing';
import { type LeadArrivals, observeArrival } from './silence';

const PAGE = 100;
// Instances' clocks differ; a record minted "next month" a second before midnight is still read.
const SKEW_MS = 86_400_000;

export async function newestArrivals(
  store: Pick<RecordStore, 'oldestRecordPartition' | 'listRecordPage'>,
  now: Date,
  options: { want: 'real' | 'both'; maxRecords: number },
): Promise<LeadArrivals> {
  let arrivals: LeadArrivals = {};
  const oldest = await store.oldestRecordPartition();
  if (oldest === undefined) return arrivals;
  let read = 0;
  for (let partition = monthOf(now.getTime() + SKEW_MS); partition >= oldest; partition = previousMonth(partition)) {
    let after: string | undefined;
    for (;;) {
      const page = await store.listRecordPage(partition, { afterRowKey: after, maxPageSize: PAGE });
      for (const record of page.records) {
        arrivals = observeArrival(arrivals, { at: record.lastSeenAt, isTest: record.isTest });
        read++;
      }
      const done =
        arrivals.lastRealLeadAt !== undefined && (options.want === 'real' || arrivals.lastTestLeadAt !== undefined);
      if (done || read >= options.maxRecords) return arrivals;
      if (!page.more || page.lastRowKey === undefined) break;
      after = page.lastRowKey;
    }
  }
  return arrivals;
}

/**
 * For the silence check: the listing first caught up with what processing noted (processing does not list records
 * itself, docs/storage.md), so a lead processed since the last list request or reminder run counts. Health only
 * reads, at its own deadline, and may lag by that much.
 */
export async function caughtUpArrivals(
  store: RecordStore,
  now: Date,
  options: { want: 'real' | 'both'; maxRecords: number },
): Promise<LeadArrivals> {
  await catchUpListing(store, now, options.maxRecords);
  return newestArrivals(store, now, options);
}
