/** The `{id}` route parameter: a lead id is a ULID, which its spec makes case-insensitive. */
import { bad, ok, type Parsed } from '../http/problems';
import { isUlid } from '../record/keys';

export function parseLeadId(raw: string | undefined): Parsed<string> {
  const id = (raw ?? '').trim().toUpperCase();
  return isUlid(id)
    ? ok(id)
    : bad('id', 'format', 'is not a lead id: expected the 26-character id the API lists (a ULID)');
}
