import { tableClient } from '../../../shared/storage/clients';

const connection = { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' } as const;

describe('table clients', () => {
  test('carry the deadline and call-count policies, and no tracing policy (the app never records its spans)', () => {
    const names = tableClient(connection, 'Leads')
      .pipeline.getOrderedPolicies()
      .map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['storageDeadline', 'storageCallCount']));
    expect(names).not.toContain('tracingPolicy');
  });
});
