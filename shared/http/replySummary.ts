/**
 * What a receiver's error reply was, without what it said. A webhook receiver (a CRM, a Teams flow) may quote the
 * request back ("'+48 600 100 200' is not a valid phone number (contact Jan Kowalski, Fabrikam)"), and its text
 * would carry personal data into the log and the host's exception records. The status (said by the caller), the
 * content type and the length tell an operator enough to go and read the receiver's own log.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { headerValue } from './postJson';

// A media type as RFC 9110 writes one (type/subtype, token characters): anything else could be text of any kind.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/** "text/plain, 87 bytes", "no body": never a word of the body, nor a content type's parameters. */
export function replySummary(reply: { headers: IncomingHttpHeaders; bytes: number }): string {
  if (reply.bytes === 0) return 'no body';
  const given = headerValue(reply.headers, 'content-type');
  const type = given?.split(';')[0]?.trim().toLowerCase();
  const described =
    type === undefined || type === '' ? 'no content type' : MEDIA_TYPE.test(type) ? type : 'an unreadable content type';
  return `${described}, ${reply.bytes} bytes`;
}
