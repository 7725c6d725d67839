/**
 * Decisions: marking a lead qualified (with the answers to the configured criteria) or disqualified (with a
 * reason from the configured list). A decision is a status change, so it lives on the `status` event and the
 * record's status is still a fold over status events; these fields ride along on the event.
 */
import type { AppliedChange, HistoryEvent } from './attempts';
import { appliedChanges } from './attempts';
import type { StatusChangeEvent } from './model';

export const ANSWERS = ['yes', 'no', 'unknown'] as const;
export type Answer = (typeof ANSWERS)[number];

export interface CriterionAnswer {
  answer: Answer;
  note?: string;
}

/** Criterion key → its answer. Every configured criterion is present; one nobody answered is `unknown`. */
export type QualificationAnswers = Record<string, CriterionAnswer>;

/** What a status event adds when it is a decision (to be added to StatusChangeEvent). */
export interface DecisionFields {
  /** On `qualified`: the answers, keyed by criterion. */
  answers?: QualificationAnswers;
  /** On `disqualified`: one of DISQUALIFY_REASONS as configured when it was given. */
  reason?: string;
}

export type DecisionEvent = StatusChangeEvent & DecisionFields;

export type Decision =
  | { status: 'qualified'; at: string; by?: string; answers: QualificationAnswers }
  | { status: 'disqualified'; at: string; by?: string; reason?: string };

/** What the record carries about its decision (to be added to LeadRecord), when its status is a decision. */
export function currentDecision(events: readonly HistoryEvent[]): Decision | undefined {
  return decisionOf(appliedChanges(events).at(-1));
}

function decisionOf(change: AppliedChange | undefined): Decision | undefined {
  if (change === undefined || change.event.kind !== 'status') return undefined;
  const event: DecisionEvent = change.event;
  if (event.status === 'qualified') {
    return { status: 'qualified', at: event.at, by: event.by, answers: event.answers ?? {} };
  }
  if (event.status === 'disqualified') {
    return { status: 'disqualified', at: event.at, by: event.by, reason: event.reason };
  }
  return undefined;
}

export function isDecided(status: string): status is 'qualified' | 'disqualified' {
  return status === 'qualified' || status === 'disqualified';
}
