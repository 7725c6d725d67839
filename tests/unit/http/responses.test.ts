import { errorAnswer, json } from '../../../shared/http/responses';

describe('json answers', () => {
  test('carry their serialised body with its length in bytes, so a streamed response is not chunked', () => {
    const answer = json(202, { id: '01J0000000000000000000000Z', note: 'Zoë ✓' });
    expect(typeof answer.body).toBe('string');
    const text = answer.body as string;
    expect(JSON.parse(text)).toEqual({ id: '01J0000000000000000000000Z', note: 'Zoë ✓' });
    expect(answer.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
    });
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
  });

  test('error answers too, and headers given by the caller are kept', () => {
    const answer = errorAnswer(503, { error: 'storage_unavailable', message: 'later' }, {}, { 'retry-after': '30' });
    expect(answer.headers).toMatchObject({
      'retry-after': '30',
      'content-length': String(Buffer.byteLength(answer.body as string)),
    });
  });
});
