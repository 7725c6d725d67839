import { TableClient } from '@azure/data-tables';
const cs = process.argv[2];
const t = TableClient.fromConnectionString(cs, process.argv[4], { allowInsecureConnection: true });
await t.createTable();
const N = Number(process.argv[3]);
const t0 = Date.now();
const pad = (n) => String(n).padStart(8, '0');
let batches = [];
for (let p = 0; p < N / 100; p++) {
  const acts = [];
  for (let i = 0; i < 100; i++)
    acts.push([
      'create',
      {
        partitionKey: 'P' + String(p % 24).padStart(2, '0') + '-' + Math.floor(p / 24),
        rowKey: pad(p * 100 + i),
        firstName: 'Jan',
        lastName: 'Kowalski' + i,
        company: 'Fabrikam',
        email: 'x' + i + '@ex.com',
        status: 'new',
        stage: 'interest',
        firstSeenAt: new Date().toISOString(),
        sources: '["AzureMarketplace"]',
        flags: '[]',
        offerKey: 'a.b',
        version: 1,
      },
    ]);
  batches.push(t.submitTransaction(acts));
  if (batches.length >= 8) {
    await Promise.all(batches);
    batches = [];
  }
}
await Promise.all(batches);
console.log('seed', N, Date.now() - t0, 'ms');
for (let k = 0; k < 3; k++) {
  const s = Date.now();
  const it = t
    .listEntities({ queryOptions: { filter: "PartitionKey eq 'P05-0' and RowKey lt 'a'" } })
    .byPage({ maxPageSize: 51 });
  const page = (await it.next()).value;
  const q = Date.now() - s;
  const s2 = Date.now();
  await t.getEntity('P05-0', pad(500));
  console.log('query', q, 'ms rows', page.length, 'point', Date.now() - s2, 'ms');
}
