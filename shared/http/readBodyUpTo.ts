/**
 * Reads a request body, stopping just past a limit. With HTTP streaming on (index.ts) the body arrives as a stream,
 * so an oversized request is refused after `maxBytes + 1` bytes instead of after being held in memory whole.
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
      chunks.push(value);
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return { bytes: Buffer.concat(chunks).subarray(0, maxBytes + 1), truncated: true };
      }
    }
  } finally {
    reader.releaseLock();
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
