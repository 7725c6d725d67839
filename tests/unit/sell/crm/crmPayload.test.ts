import { crmDelivery, type CrmPayload, viewChanged } from '../../../../shared/sell/crm/crmPayload';
import { leadView } from '../../../../shared/sell/leadView';
import { record } from '../records';

const AT = new Date('2024-05-03T12:00:00.123Z');

describe('crmDelivery', () => {
  const created = record({ firstName: 'Ada', lastName: 'Lovelace' });

  test('a new record is lead.created: the record as the API shows it, with its version and time', () => {
    const delivery = crmDelivery({ before: undefined, after: created, version: 1, at: AT });
    expect(delivery.type).toBe('lead.created');
    const payload = JSON.parse(delivery.body) as CrmPayload;
    expect(payload).toEqual({
      type: 'lead.created',
      timestamp: '2024-05-03T12:00:00.123Z',
      version: 1,
      data: JSON.parse(JSON.stringify(leadView(created))),
    });
    // The matching key is internal, as in the API.
    expect(delivery.body).not.toContain('emailMatch');
    expect(payload.data.email).toBe('Jan.Kowalski@Fabrikam.example');
  });

  test('a change is lead.updated', () => {
    const after = { ...created, status: 'contacted' as const };
    expect(crmDelivery({ before: created, after, version: 2, at: AT }).type).toBe('lead.updated');
  });

  test('one change has one webhook-id, whatever the retries; the next change another', () => {
    const first = crmDelivery({ before: undefined, after: created, version: 1, at: AT });
    const again = crmDelivery({ before: undefined, after: created, version: 1, at: new Date(AT.getTime() + 60_000) });
    const next = crmDelivery({ before: created, after: { ...created, stage: 'trial' }, version: 2, at: AT });
    expect(first.id).toBe(`lead_${created.leadId}_v1`);
    expect(again.id).toBe(first.id);
    expect(next.id).toBe(`lead_${created.leadId}_v2`);
    expect(first.id).not.toContain('.');
  });

  test('refuses a version that is not a whole number of at least 1', () => {
    for (const version of [0, -1, 1.5, Number.NaN]) {
      expect(() => crmDelivery({ before: undefined, after: created, version, at: AT })).toThrow(RangeError);
    }
  });
});

describe('viewChanged', () => {
  const base = record();

  test('a new record is a change; the same record (a redelivery, a repeated POST) is not', () => {
    expect(viewChanged(undefined, base)).toBe(true);
    expect(viewChanged(base, { ...base })).toBe(false);
    // Property order and absent-versus-undefined fields do not count.
    const { offerTitle, ...rest } = base;
    expect(viewChanged({ ...rest, offerTitle }, { offerTitle, ...rest, statusNote: undefined })).toBe(false);
  });

  test('any field the API shows is a change; the internal matching key is not', () => {
    expect(viewChanged(base, { ...base, status: 'contacted' })).toBe(true);
    expect(viewChanged(base, { ...base, phone: '+1 555 0100' })).toBe(true);
    expect(viewChanged(base, { ...base, flags: ['erased'] })).toBe(true);
    expect(viewChanged(base, { ...base, emailMatch: 'other@example.com' })).toBe(false);
  });
});
