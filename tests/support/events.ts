/** A lead arrival event with neutral defaults, for tests that build histories by hand. */
import type { LeadArrivalEvent } from '../../shared/record/model';

export function arrival(eventId: string, at: string, overrides: Partial<LeadArrivalEvent> = {}): LeadArrivalEvent {
  return {
    kind: 'arrival',
    eventId,
    at,
    source: 'AzureMarketplace',
    sourceRaw: 'AzureMarketplace',
    action: 'PLT',
    actionRaw: 'PLT',
    stage: 'interest',
    isTest: false,
    unrecognised: false,
    flags: [],
    rawBody: '{}',
    ...overrides,
  };
}
