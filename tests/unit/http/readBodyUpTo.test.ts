import { readBodyUpTo } from '../../../shared/http/readBodyUpTo';

function streamOf(chunks: readonly string[]): ReadableStream<Uint8Array> & { pulled: () => number } {
  let next = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (next < chunks.length) controller.enqueue(new TextEncoder().encode(chunks[next++]));
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return Object.assign(stream, { pulled: () => next });
}

describe('readBodyUpTo', () => {
  test('reads a body within the limit whole', async () => {
    expect(await readBodyUpTo(streamOf(['{"a":', '1}']), 10)).toEqual({
      bytes: Buffer.from('{"a":1}'),
      truncated: false,
    });
  });

  test('a body of exactly the limit is not truncated', async () => {
    const result = await readBodyUpTo(streamOf(['12345', '67890']), 10);
    expect(result.truncated).toBe(false);
    expect(Buffer.from(result.bytes).toString()).toBe('1234567890');
  });

  test('keeps one byte past the limit and reads the rest to the end without keeping it', async () => {
    const stream = streamOf(['12345', '67890', 'abc', 'dropped']);
    const result = await readBodyUpTo(stream, 10);
    expect(result.truncated).toBe(true);
    expect(Buffer.from(result.bytes).toString()).toBe('1234567890a');
    // Read to the end, not cancelled: cancelling would close the connection the 413 goes back on.
    expect(stream.pulled()).toBe(4);
  });

  test('no body is empty', async () => {
    expect(await readBodyUpTo(null, 10)).toEqual({ bytes: new Uint8Array(0), truncated: false });
  });
});
