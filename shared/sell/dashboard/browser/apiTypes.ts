/**
 * What the dashboard's script reads: the page's data block (built by ../page.ts) and the fields of the API's
 * answers it uses. Types only, so the compiled script imports nothing.
 */

export interface PageData {
  /** In funnel order, as the funnel's columns are. */
  stages: { value: string; label: string }[];
  /** Every status, in the funnel's column order. */
  statuses: string[];
  /** The statuses sales can mark a lead with here, one button each. */
  statusActions: string[];
  criteria: { key: string; label: string; description?: string }[];
  disqualifyReasons: string[];
}

export interface Lead {
  leadId: string;
  firstName?: string;
  lastName?: string;
  company?: string;
  title?: string;
  email?: string;
  phone?: string;
  phoneE164?: string;
  country?: string;
  offerKey: string;
  offerTitle?: string;
  stage: string;
  status: string;
  statusBy?: string;
  firstSeenAt: string;
  lastSeenAt: string;
  firstContactedAt?: string;
  doNotContact: boolean;
  sources?: string[];
  flags?: string[];
  owner?: string;
  attemptCount?: number;
  lastAttemptAt?: string;
  lastAttemptOutcome?: string;
  qualification?: Record<string, { answer: string; note?: string }>;
  disqualifyReason?: string;
  /** In lists: computed when read (the cadence ran out with no decision; the trial's label). */
  stalled?: boolean;
  trial?: { label: string; leftMs: number };
}

export interface Attempt {
  eventId: string;
  at: string;
  by?: string;
  channel: string;
  outcome: string;
  note?: string;
  via: string;
}

export type HistoryEvent =
  | { kind: 'arrival'; at: string; action: string; source: string; offerTitle?: string; stage: string }
  | {
      kind: 'status';
      at: string;
      status: string;
      by?: string;
      via: string;
      note?: string;
      applied: boolean;
      onlyIf?: string;
    }
  | { kind: 'reminder'; at: string; reminder: 'remind' | 'escalate' | 'nurture'; step?: number; recipients: string[] }
  | { kind: 'owner'; at: string; owner: string; via: string; by?: string; note?: string }
  | { kind: 'attempt'; at: string; channel: string; outcome: string; by?: string; amends?: string }
  | { kind: 'cadenceRestart'; at: string; by?: string };

export interface LeadDetail {
  lead: Lead;
  history: HistoryEvent[];
  account?: {
    kind: string;
    label: string;
    peopleCount: number;
    people: { leadId: string; offerKey: string; offerTitle?: string; lastSeenAt: string }[];
  };
  attempts: Attempt[];
  nurture: { stalled: boolean; trial?: { label: string; leftMs: number } };
}

export interface QualificationGroup {
  decided: number;
  qualified: number;
  qualificationRate: number | null;
  reasons: { reason: string; count: number }[];
}

export interface LeadPage {
  items: Lead[];
  continuation?: string | null;
}

export interface GroupStats {
  total: number;
  byStage: Record<string, number>;
  byStatus: Record<string, number>;
  speedToLead: {
    medianHours: number | null;
    p90Hours: number | null;
    within24h: { eligible: number; contacted: number; share: number | null };
  };
  perDay: { date: string; count: number }[];
}

export interface OfferStats extends GroupStats {
  offerKey: string;
  offerTitle?: string;
}

/** `leadFlow` of GET /api/health: names and times only. */
export interface LeadFlow {
  lastRealLeadAt: string | null;
  lastTestLeadAt: string | null;
  poisonQueueDepth: number | null;
  rejectedLeads: number | null;
  silence: { alarmActive: boolean; silentSince: string | null };
}

export interface PipelineStats {
  overall: GroupStats;
  offers: OfferStats[];
  qualification?: { overall: QualificationGroup };
}
