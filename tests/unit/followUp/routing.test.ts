import { groupByRecipient, recipientsFor } from '../../../shared/followUp/routing';

const routes = new Map<string, string[]>([
  ['contoso.widget', ['widgets@contoso.com']],
  ['contoso gadget', ['gadgets@contoso.com', 'Sales@Contoso.com']],
  ['contoso.gizmo', ['gizmo@contoso.com', 'GIZMO@contoso.com']],
]);
const defaults = ['sales@contoso.com'];

describe('recipientsFor', () => {
  test('routes by offer id, case-insensitively', () => {
    expect(recipientsFor({ offerId: 'Contoso.Widget' }, routes, defaults)).toEqual(['widgets@contoso.com']);
  });

  test('routes by offer title when the id has no route', () => {
    expect(recipientsFor({ offerId: 'contoso.other', offerTitle: '  Contoso GADGET ' }, routes, defaults)).toEqual([
      'gadgets@contoso.com',
      'Sales@Contoso.com',
    ]);
  });

  test('an offer id match wins over a title match', () => {
    expect(recipientsFor({ offerId: 'contoso.widget', offerTitle: 'Contoso Gadget' }, routes, defaults)).toEqual([
      'widgets@contoso.com',
    ]);
  });

  test('falls back to the defaults without a match or without offer data', () => {
    expect(recipientsFor({ offerId: 'unknown', offerTitle: 'Unknown' }, routes, defaults)).toEqual(defaults);
    expect(recipientsFor({}, routes, defaults)).toEqual(defaults);
    expect(recipientsFor({ offerId: '', offerTitle: ' ' }, routes, defaults)).toEqual(defaults);
  });

  test('drops addresses repeated in another case', () => {
    expect(recipientsFor({ offerId: 'contoso.gizmo' }, routes, defaults)).toEqual(['gizmo@contoso.com']);
  });

  test('does not hand out the configured array itself', () => {
    const list = recipientsFor({ offerId: 'contoso.widget' }, routes, defaults);
    list.push('intruder@example.com');
    expect(routes.get('contoso.widget')).toEqual(['widgets@contoso.com']);
  });
});

describe('groupByRecipient', () => {
  const widget = { id: 1, offerId: 'contoso.widget' };
  const gadget = { id: 2, offerTitle: 'Contoso Gadget' };
  const other = { id: 3, offerId: 'something.else' };
  const widget2 = { id: 4, offerId: 'CONTOSO.WIDGET' };

  const groups = groupByRecipient([widget, gadget, other, widget2], routes, defaults);

  test('one entry per recipient with their leads, in lead order', () => {
    expect([...groups.keys()]).toEqual(['widgets@contoso.com', 'gadgets@contoso.com', 'Sales@Contoso.com']);
    expect(groups.get('widgets@contoso.com')).toEqual([widget, widget2]);
    expect(groups.get('gadgets@contoso.com')).toEqual([gadget]);
  });

  test('a lead routed to several recipients appears under each', () => {
    expect(groups.get('gadgets@contoso.com')).toContain(gadget);
    expect(groups.get('Sales@Contoso.com')).toContain(gadget);
  });

  test('addresses differing only in case share one digest', () => {
    // The gadget route says Sales@Contoso.com, the default says sales@contoso.com: one mailbox, one mail.
    expect(groups.get('Sales@Contoso.com')).toEqual([gadget, other]);
    expect(groups.has('sales@contoso.com')).toBe(false);
  });

  test('no leads, no digests', () => {
    expect(groupByRecipient([], routes, defaults).size).toBe(0);
  });
});

describe('publisher-qualified offer ids', () => {
  test('a route written as publisher.offer (as Partner Center shows it) matches a lead with both parts', () => {
    const qualified = new Map([['fabrikamsoft.ledger-cloud', ['ledger@contoso.com']]]);
    expect(
      recipientsFor({ publisherId: 'fabrikamsoft', offerId: 'ledger-cloud', offerTitle: 'Ledger Cloud' }, qualified, [
        'd@x.com',
      ]),
    ).toEqual(['ledger@contoso.com']);
    expect(recipientsFor({ publisherId: 'other', offerId: 'ledger-cloud' }, qualified, ['d@x.com'])).toEqual([
      'd@x.com',
    ]);
  });
});
