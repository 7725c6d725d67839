/** The export's columns: what sales work with in a spreadsheet; internal keys (emailMatch, rawBody) never appear. */
import type { LeadRecord } from '../record/model';
import type { CsvColumn } from './csv';

export const LEAD_COLUMNS: readonly CsvColumn<LeadRecord>[] = [
  { header: 'Lead id', value: (r) => r.leadId },
  { header: 'First seen (UTC)', value: (r) => r.firstSeenAt },
  { header: 'Last seen (UTC)', value: (r) => r.lastSeenAt },
  { header: 'Status', value: (r) => r.status },
  { header: 'Stage', value: (r) => r.stage },
  { header: 'Offer', value: (r) => r.offerTitle ?? r.offerKey },
  { header: 'Offer key', value: (r) => r.offerKey },
  { header: 'First name', value: (r) => r.firstName },
  { header: 'Last name', value: (r) => r.lastName },
  { header: 'Company', value: (r) => r.company },
  { header: 'Title', value: (r) => r.title },
  { header: 'Email', value: (r) => r.email },
  { header: 'Phone', value: (r) => r.phone },
  { header: 'Country', value: (r) => r.country },
  { header: 'Sources', value: (r) => r.sources.join(' ') },
  { header: 'Last action', value: (r) => r.lastAction },
  { header: 'Leads received', value: (r) => r.eventCount },
  { header: 'First contacted (UTC)', value: (r) => r.firstContactedAt },
  { header: 'Status changed (UTC)', value: (r) => r.statusChangedAt },
  { header: 'Status changed by', value: (r) => r.statusBy },
  { header: 'Status note', value: (r) => r.statusNote },
  { header: 'Do not contact', value: (r) => r.doNotContact },
  { header: 'Test lead', value: (r) => r.isTest },
  { header: 'Flags', value: (r) => r.flags.join(' ') },
  { header: 'Owner', value: (r) => r.owner },
  { header: 'Owner since (UTC)', value: (r) => r.ownerSince },
];
