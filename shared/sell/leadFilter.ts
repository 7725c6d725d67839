/**
 * The filters no table key can serve (see docs/api.md), applied to each record of a scanned page. Time bounds are
 * checked here too: the keys only narrow which rows are read, the record's own first-seen time decides.
 */
import { isOwnedBy } from '../followUp/owners';
import { foldName } from '../record/identity';
import type { LeadRecord } from '../record/model';
import type { LeadFilters } from './leadQuery';

/** Case- and accent-insensitive, so "lukasz" finds "Łukasz"; spacing and punctuation count as one space. */
function startsWithFolded(value: string | undefined, foldedPrefix: string): boolean {
  return value !== undefined && foldName(value).startsWith(foldedPrefix);
}

export function matchesText(record: LeadRecord, q: string): boolean {
  const email = q.toLowerCase();
  // Emails compare lower-cased but unfolded: "jan.k" must not match "jan-k@…".
  if (record.email?.toLowerCase().startsWith(email)) return true;
  // Text with an @ is an address being typed: matching "nowak@" against the name Nowak would surprise.
  if (q.includes('@')) return false;
  const folded = foldName(q);
  if (folded === '') return false;
  const fullName = [record.firstName, record.lastName].filter((p) => p !== undefined).join(' ');
  return [record.firstName, record.lastName, fullName, record.company].some((v) => startsWithFolded(v, folded));
}

function matchesOffer(record: LeadRecord, offer: string): boolean {
  const candidates = [
    record.offerKey,
    record.offerId,
    record.publisherId && record.offerId ? `${record.publisherId}.${record.offerId}` : undefined,
    record.offerTitle,
  ];
  return candidates.some((c) => c !== undefined && c.toLowerCase() === offer);
}

export function matchesFilters(record: LeadRecord, filters: LeadFilters): boolean {
  if (!filters.includeTest && record.isTest) return false;
  if (filters.statuses && !filters.statuses.includes(record.status)) return false;
  if (filters.stages && !filters.stages.includes(record.stage)) return false;
  if (filters.sources && !record.sources.some((s) => filters.sources?.includes(s))) return false;
  if (filters.offer !== undefined && !matchesOffer(record, filters.offer)) return false;
  const firstSeen = Date.parse(record.firstSeenAt);
  if (filters.since && firstSeen < filters.since.getTime()) return false;
  if (filters.until && firstSeen > filters.until.getTime()) return false;
  if (filters.q !== undefined && !matchesText(record, filters.q)) return false;
  if (filters.owner !== undefined && !isOwnedBy(record.owner, filters.owner)) return false;
  return true;
}
