import { createHttpHeaders } from '@azure/core-rest-pipeline';

import { graphAudience } from '../../../shared/mail/graphMailer';
import { retryAfterMs, retryDecision } from '../../../shared/mail/httpRetry';
import { apiErrorDetail, MailApiError } from '../../../shared/mail/mailApi';
import { parseMailbox } from '../../../shared/mail/mailbox';

describe('retry decisions for the mail APIs', () => {
  test('429 and 503 are retried for any request, after Retry-After or a short backoff', () => {
    expect(retryDecision({ method: 'POST', status: 429, retryAfterMs: 7_000, attempt: 1 })).toEqual({
      retry: true,
      waitMs: 7_000,
    });
    expect(retryDecision({ method: 'POST', status: 503, attempt: 1 })).toEqual({ retry: true, waitMs: 500 });
    expect(retryDecision({ method: 'POST', status: 503, attempt: 3 })).toEqual({ retry: true, waitMs: 2_000 });
    expect(retryDecision({ method: 'POST', status: 429, attempt: 20 })).toEqual({ retry: false });
  });

  test('a send with an unknown outcome (no answer, 500, 502, 504, 408) is not repeated; a read is', () => {
    for (const status of [undefined, 408, 500, 502, 504]) {
      expect(retryDecision({ method: 'POST', status, attempt: 1 })).toEqual({ retry: false });
      expect(retryDecision({ method: 'GET', status, attempt: 1 })).toEqual({ retry: true, waitMs: 500 });
    }
  });

  test('other answers are final', () => {
    for (const status of [200, 202, 400, 401, 403, 404, 501]) {
      expect(retryDecision({ method: 'GET', status, attempt: 1 })).toEqual({ retry: false });
    }
  });

  test('Retry-After in seconds or as a date, and the millisecond headers Azure services add', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    expect(retryAfterMs(createHttpHeaders({ 'retry-after': '12' }), now)).toBe(12_000);
    expect(retryAfterMs(createHttpHeaders({ 'retry-after': 'Sat, 01 Mar 2025 12:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(createHttpHeaders({ 'retry-after': 'Sat, 01 Mar 2025 11:00:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(createHttpHeaders({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(retryAfterMs(createHttpHeaders({ 'x-ms-retry-after-ms': '1500' }), now)).toBe(1_500);
    expect(retryAfterMs(createHttpHeaders({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(createHttpHeaders({}), now)).toBeUndefined();
  });
});

describe('Graph token audience', () => {
  test('a national cloud’s Graph is its own audience; anything else stands in front of the global Graph', () => {
    expect(graphAudience('https://graph.microsoft.com')).toBe('https://graph.microsoft.com');
    expect(graphAudience('https://graph.microsoft.us/')).toBe('https://graph.microsoft.us');
    expect(graphAudience('https://dod-graph.microsoft.us')).toBe('https://dod-graph.microsoft.us');
    expect(graphAudience('https://microsoftgraph.chinacloudapi.cn')).toBe('https://microsoftgraph.chinacloudapi.cn');
    expect(graphAudience('https://127.0.0.1:8443')).toBe('https://graph.microsoft.com');
  });
});

describe('API errors', () => {
  test('code and message from { error }, the message redacted; anything else kept short', () => {
    expect(
      apiErrorDetail('{"error":{"code":"ErrorInvalidRecipients","message":"Invalid recipient bob@contoso.com"}}'),
    ).toEqual({ code: 'ErrorInvalidRecipients', detail: 'ErrorInvalidRecipients: Invalid recipient [address]' });
    expect(apiErrorDetail('')).toEqual({ detail: 'no details' });
    expect(apiErrorDetail('<html>bad gateway</html>')).toEqual({ detail: '<html>bad gateway</html>' });
  });

  test('transient: no answer, 429 and 5xx; not a refusal that stays wrong until someone fixes it', () => {
    expect(new MailApiError('x', undefined).transient).toBe(true);
    expect(new MailApiError('x', 429).transient).toBe(true);
    expect(new MailApiError('x', 503).transient).toBe(true);
    expect(new MailApiError('x', 403).transient).toBe(false);
    expect(new MailApiError('x', undefined, 'Failed', false).transient).toBe(false);
  });
});

describe('sender mailbox', () => {
  test('an address, with or without a display name', () => {
    expect(parseMailbox('leads@contoso.com')).toEqual({ address: 'leads@contoso.com' });
    expect(parseMailbox('Marketplace leads <leads@contoso.com>')).toEqual({
      address: 'leads@contoso.com',
      name: 'Marketplace leads',
    });
    expect(parseMailbox('"Leads, EMEA" <leads@contoso.com>')).toEqual({
      address: 'leads@contoso.com',
      name: 'Leads, EMEA',
    });
    expect(parseMailbox('<DoNotReply@x.azurecomm.net>')).toEqual({ address: 'DoNotReply@x.azurecomm.net' });
  });

  test('anything else is not a mailbox', () => {
    for (const text of ['', 'Leads', 'Leads <leads>', 'a@b.c, d@e.f', 'Leads <a@b.c> <d@e.f>']) {
      expect(parseMailbox(text)).toBeUndefined();
    }
  });
});
