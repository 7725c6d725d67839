import { hostClass } from '../../../shared/http/secretUrl';
import { webhookVerdict } from '../../../shared/http/webhookVerdict';

const FLOW =
  'https://prod-27.westeurope.logic.azure.com:443/workflows/5c1e4a2b9d7f/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Xk3-9qWv2pZr7LmN4sTb8YcD1fGh6JeU0aOiQ5RyVxw';

describe('hostClass', () => {
  test.each([
    [FLOW, 'Power Automate / Logic Apps (logic.azure.com)'],
    [
      'https://default1234.56.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/x/triggers/manual/paths/invoke?sig=abc',
      'Power Platform (powerplatform.com)',
    ],
    [
      'https://contoso.webhook.office.com/webhookb2/abc',
      'Office 365 connector (webhook.office.com, retired by Microsoft)',
    ],
    ['http://127.0.0.1:7071/hook', 'loopback'],
    ['https://crm.contoso.example/hooks/leads', 'an HTTPS host'],
    ['http://crm.contoso.example/hooks/leads', 'an HTTP host'],
    ['not a url', 'a malformed URL'],
  ])('%s → %s', (url, expected) => {
    expect(hostClass(url)).toBe(expected);
  });
});

describe('webhookVerdict', () => {
  test.each([
    [200, 'accepted'],
    [202, 'accepted'],
    [204, 'accepted'],
    [299, 'accepted'],
    [301, 'retry'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [408, 'retry'],
    [410, 'permanent'],
    [413, 'permanent'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
  ])('HTTP %i → %s', (status, verdict) => {
    expect(webhookVerdict(status)).toBe(verdict);
  });
});
