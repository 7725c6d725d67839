import { toArrivalEvent } from '../../../shared/record/arrivalEvent';
import { leadTelemetryProperties } from '../../../shared/record/leadTelemetry';
import { redactValue } from '../../../shared/telemetry';

function propertiesOf(body: Record<string, unknown>): Record<string, string> {
  const placed = toArrivalEvent({
    v: 1,
    id: '01JNB4M7Q3ZZ9X8W7V6T5S4R3Q',
    receivedAt: '2025-03-01T10:00:00Z',
    rawBody: JSON.stringify(body),
    request: { queryKeys: [] },
  });
  if (!placed.ok) throw new Error(placed.reason);
  return leadTelemetryProperties(placed.offerKey, placed.event, { stage: placed.event.stage, isTest: false });
}

describe('lead telemetry properties', () => {
  test('an offer id is sent as it is: it names the offer, not a person', () => {
    expect(propertiesOf({ LeadSource: 'AzureMarketplace-INS|contoso.widgets', OfferTitle: 'Widgets' })).toEqual({
      offer: 'contoso.widgets',
      source: 'AzureMarketplace',
      action: 'INS',
      stage: 'active',
      test: 'false',
    });
  });

  test('without an offer id the title is free text: only a hash of it is sent, stable per title', () => {
    const title = 'Call Jan Kowalski back about the Fabrikam deal';
    const props = propertiesOf({ LeadSource: 'AppSource-INS', OfferTitle: title });
    expect(props.offer).toMatch(/^title-[a-p]{16}$/);
    expect(JSON.stringify(props).toLowerCase()).not.toMatch(/jan|kowalski|fabrikam|deal/);
    // The same title folds to the same offer, so counts per offer still add up; the telemetry screen keeps it.
    expect(propertiesOf({ LeadSource: 'AppSource-PLT', OfferTitle: `  ${title.toUpperCase()} ` }).offer).toBe(
      props.offer,
    );
    expect(redactValue(props.offer!)).toBe(props.offer);
    expect(propertiesOf({ LeadSource: 'AppSource-INS', OfferTitle: 'Other offer' }).offer).not.toBe(props.offer);
  });

  test('no offer at all is the fixed unknown-offer key', () => {
    expect(propertiesOf({ LeadSource: 'AppSource-INS' }).offer).toBe('unknown-offer');
  });
});
