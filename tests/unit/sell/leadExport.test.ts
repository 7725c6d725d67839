import { Readable } from 'node:stream';

import { csvExportResponse } from '../../../shared/sell/leadExport';
import { MemoryPages, record } from './records';

const NOW = new Date('2026-06-15T12:00:00.000Z');

describe('csvExportResponse', () => {
  test('the body pulls storage pages as it is read, not all before the first byte', async () => {
    // 2,500 leads in one month: three storage pages of at most 1,000.
    const leads = Array.from({ length: 2500 }, (_, i) =>
      record({ at: new Date(Date.UTC(2026, 5, 1, 0, 0, i)).toISOString(), firstName: `P${i}` }),
    );
    const source = new MemoryPages(leads);
    const response = csvExportResponse(source, { includeTest: false }, NOW);
    expect(response.body).toBeInstanceOf(Readable);
    const body = response.body as Readable;

    const first = await new Promise<Buffer>((resolve) => body.once('data', (chunk: Buffer) => resolve(chunk)));
    body.pause();
    expect(first.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(source.queries.length).toBeLessThan(3);

    let text = first.toString('utf8');
    body.resume();
    for await (const chunk of body) text += (chunk as Buffer).toString('utf8');
    expect(source.queries.length).toBeGreaterThanOrEqual(3);
    expect(text.trimEnd().split('\r\n')).toHaveLength(2501);
  });
});
