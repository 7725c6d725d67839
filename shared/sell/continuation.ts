/**
 * Where a listing stopped: the month partition and the last row key handed out (or none, to start that month at
 * its newest row). Opaque to callers (base64url JSON) so the layout can change without breaking their code, and
 * validated on the way back in because it is caller input that ends up in a storage query.
 */
import { bad, ok, type Parsed } from '../http/problems';

export interface Position {
  partition: string;
  afterRowKey?: string;
}

const PARTITION = /^\d{6}$/;
// An inverted ULID: the same 26-character Crockford alphabet as the id itself.
const ROW_KEY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function encodeContinuation(position: Position): string {
  const body: { p: string; r?: string } = { p: position.partition };
  if (position.afterRowKey !== undefined) body.r = position.afterRowKey;
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodeContinuation(token: string): Parsed<Position> {
  const invalid = bad(
    'continuation',
    'format',
    'is not a continuation token this API issued; pass the "continuation" value of the previous page unchanged',
  );
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return invalid;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return invalid;
  }
  if (typeof body !== 'object' || body === null) return invalid;
  const { p, r } = body as { p?: unknown; r?: unknown };
  if (typeof p !== 'string' || !PARTITION.test(p)) return invalid;
  if (r === undefined) return ok({ partition: p });
  if (typeof r !== 'string' || !ROW_KEY.test(r)) return invalid;
  return ok({ partition: p, afterRowKey: r });
}
