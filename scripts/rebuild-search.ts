/**
 * `npm run rebuild-search`: builds the search index (docs/storage.md "Search index") from the listed records after
 * catching the listing up, deletes rows no listed record holds, and marks the index built. Safe while the app runs;
 * until it has run on a store listed before the index existed, `q=` and status filters walk the listing.
 */
import { rebuildSearch } from '../shared/sell/search/rebuildSearch';
import { runStoreCommand } from './storeCommand';

if (require.main === module) {
  runStoreCommand(async (store, now) => {
    const r = await rebuildSearch(store, now);
    return `${r.records} listed record(s) indexed; ${r.dropped} stale row(s) deleted; the search index is built`;
  });
}
