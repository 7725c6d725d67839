/** The closed sets of values the API's filters accept, as runtime lists derived from the model's types. */
import type { LeadSourceKind } from '../marketplace/leadSource';
import type { Stage } from '../marketplace/stage';
import { LEAD_STATUSES, type LeadStatus } from '../record/model';

export const STATUSES: readonly LeadStatus[] = LEAD_STATUSES;

// Funnel order (not STAGE_RANK's key order), the order people read a funnel in.
export const STAGES = ['interest', 'trial', 'active', 'doNotContact'] as const satisfies readonly Stage[];

export const SOURCES = [
  'AzureMarketplace',
  'AzurePortal',
  'AppSource',
  'TestDrive',
  'Test',
  'Unknown',
] as const satisfies readonly LeadSourceKind[];

// Fails to compile if stage.ts or leadSource.ts gains a value this list lacks, so the filter can never silently miss one.
type Missing = Exclude<LeadSourceKind, (typeof SOURCES)[number]>;
const everyValueListed: [Missing] extends [never] ? true : never = true;
void everyValueListed;
