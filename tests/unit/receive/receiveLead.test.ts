import { receiveLead } from '../../../shared/receive/receiveLead';
import { MAX_BODY_BYTES } from '../../../shared/receive/validateLeadBody';

const deps = {
  enqueue: (): Promise<void> => Promise.reject(new Error('nothing may be queued')),
  now: () => new Date('2025-03-01T10:00:00Z'),
  newId: () => '01JNB4M7Q3ZZ9X8W7V6T5S4R3Q',
  clientIpSecret: 'secret',
};

describe('receiveLead', () => {
  test('a body within 32 KiB whose envelope does not fit a queue message is a 413 naming body', async () => {
    // Every \" is two bytes in the body and four once the envelope escapes it again.
    const head = '{"Description":"';
    const body = `${head}${'\\"'.repeat((MAX_BODY_BYTES - head.length - 2) / 2)}"}`;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const outcome = await receiveLead(Buffer.from(body), { queryKeys: [] }, deps);
    expect(outcome).toMatchObject({
      status: 413,
      body: { error: 'too_large', problems: [{ field: 'body', rule: 'maxBytes' }] },
    });
  });
});
