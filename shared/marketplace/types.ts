/**
 * The lead as Microsoft's marketplace sends it, after case-insensitive key matching and string coercion.
 * Every field is optional: the documented schema has no `required` list and "not all the data is always
 * available for each lead".
 */
export interface LeadUserDetails {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  country?: string;
  company?: string;
  title?: string;
}

export interface CanonicalLead {
  userDetails: LeadUserDetails;
  leadSource?: string;
  actionCode?: string;
  offerTitle?: string;
  description?: string;
  /** Fields Microsoft sent that the contract does not document, kept verbatim (by their original key). */
  extra: Record<string, unknown>;
  /** False when none of the documented fields was present: such a lead is kept and raised to operators, never dropped. */
  recognised: boolean;
}

/** What the HTTP trigger puts on the queue: the raw lead plus what we know about its arrival. */
export interface LeadEnvelope {
  /** Envelope version, so processing can tell formats apart after an upgrade. */
  v: 1;
  /** ULID: unique, and sorts by arrival time. */
  id: string;
  /** ISO 8601 UTC. */
  receivedAt: string;
  /** The request body exactly as received (UTF-8 text of a JSON object). */
  rawBody: string;
  request: LeadRequestMetadata;
}

export interface LeadRequestMetadata {
  contentType?: string;
  userAgent?: string;
  /** SHA-256 of the caller's address with a salt: lets operators correlate abuse without keeping the IP. */
  clientIpHash?: string;
  /** Query string names (never values: `code` is the function key). */
  queryKeys: string[];
}
