import { replySummary } from '../../../shared/http/replySummary';

test.each([
  [{ 'content-type': 'text/plain; charset=utf-8' }, 87, 'text/plain, 87 bytes'],
  [{ 'content-type': 'Application/Problem+JSON' }, 12, 'application/problem+json, 12 bytes'],
  [{}, 5, 'no content type, 5 bytes'],
  [{ 'content-type': 'application/json' }, 0, 'no body'],
  // A header is as much the receiver's text as the body: only a media type is repeated.
  [{ 'content-type': 'Jan Kowalski <jan@fabrikam.example>' }, 3, 'an unreadable content type, 3 bytes'],
  [{ 'content-type': 'text/plain; name="Jan Kowalski"' }, 3, 'text/plain, 3 bytes'],
])('%j, %i bytes → %s', (headers, bytes, expected) => {
  expect(replySummary({ headers, bytes })).toBe(expected);
});
