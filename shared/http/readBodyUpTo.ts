/**
 * Reads a request body, keeping at most one byte past a limit. With HTTP streaming on (index.ts) the body arrives
 * as a stream, so an oversized request is never held in memory whole. The rest is read and dropped rather than
 * cancelled: cancelling makes @azure/functions close the connection the response goes back on, and the caller
 * would get a 502 from the Functions host instead of our 413.
 */
export interface LimitedBody {
  /** At most `maxBytes + 1` bytes: one more than allowed is enough for a size check to fail. */
  bytes: Uint8Array;
  truncated: boolean;
}

export async function readBodyUpTo(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<LimitedBody> {
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size <= maxBytes) chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = Buffer.concat(chunks);
  return size > maxBytes ? { bytes: bytes.subarray(0, maxBytes + 1), truncated: true } : { bytes, truncated: false };
}
