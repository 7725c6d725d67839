/**
 * What a processed lead tells telemetry: enums and ids only (README promises no personal data there). An offer is
 * named by its id when the lead carried one; otherwise the offer key is the folded title, free text that could
 * hold anyone's words, so only a hash of it is sent: still one value per offer, so counts per offer add up.
 */
import { createHash } from 'node:crypto';

import type { LeadTelemetryProperties } from '../telemetry';
import { UNKNOWN_OFFER } from './identity';
import type { LeadRecord } from './model';

export function leadTelemetryProperties(
  offerKey: string,
  event: { source: string; action: string; offerId?: string; publisherId?: string },
  record: Pick<LeadRecord, 'stage' | 'isTest'>,
): LeadTelemetryProperties {
  const fromId = event.offerId !== undefined && event.publisherId !== undefined;
  return {
    offer: fromId || offerKey === UNKNOWN_OFFER ? offerKey : titleHash(offerKey),
    source: event.source,
    action: event.action,
    stage: record.stage,
    test: String(record.isTest),
  };
}

/** 64 bits of SHA-256 written with the letters a–p: hex digits would often look like a phone to the redaction screen. */
function titleHash(offerKey: string): string {
  const hex = createHash('sha256').update(offerKey, 'utf8').digest('hex').slice(0, 16);
  return `title-${hex.replace(/[0-9a-f]/g, (d) => String.fromCharCode(97 + parseInt(d, 16)))}`;
}
