/**
 * The decision fields of `PATCH /api/leads/{id}` (and the dashboard's qualify/disqualify forms): answers to the
 * configured criteria with `qualified`, a configured reason with `disqualified`. Checked against the settings so
 * qualification means the same to everyone: an unknown criterion or reason is a 400 listing the allowed ones.
 */
import type { QualificationSettings } from '../config/nurture';
import type { FieldProblem } from '../http/problems';
import { errorOf, type ProblemBody } from '../http/responses';
import { cleanText } from '../marketplace/normalise';
import { type Answer, ANSWERS, type DecisionFields, type QualificationAnswers } from '../record/decisions';
import { isLeadStatus, type LeadStatus } from '../record/model';
import { enumField, jsonObjectBody, optionalText } from './bodyFields';
import { parseStatusFields, type StatusUpdate } from './statusUpdate';

export const MAX_ANSWER_NOTE_LENGTH = 500;

const DECISION_BODY_SHAPE =
  '{"status": …, "note"?: string, "by"?: string, "answers"?: {"<criterion>": "yes" | "no" | "unknown"}, "reason"?: string}';

function answerOf(
  field: string,
  value: unknown,
  problems: FieldProblem[],
): { answer: Answer; note?: string } | undefined {
  if (typeof value === 'string') {
    const answer = enumField(value, field, ANSWERS, problems);
    return answer === undefined ? undefined : { answer };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({
      field,
      rule: 'type',
      message: `${field} must be "yes", "no", "unknown" or {"answer": …, "note"?: string}`,
    });
    return undefined;
  }
  const given = value as Record<string, unknown>;
  const answer = enumField(given.answer, `${field}.answer`, ANSWERS, problems);
  const note = optionalText(given.note, `${field}.note`, MAX_ANSWER_NOTE_LENGTH, problems, true);
  if (answer === undefined) return undefined;
  return note === undefined ? { answer } : { answer, note };
}

function answersOf(value: unknown, settings: QualificationSettings, problems: FieldProblem[]): QualificationAnswers {
  const keys = settings.criteria.map((c) => c.key);
  const answers: QualificationAnswers = Object.fromEntries(keys.map((k) => [k, { answer: 'unknown' }]));
  if (value === undefined || value === null) return answers;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ field: 'answers', rule: 'type', message: 'answers must be an object: criterion key → answer' });
    return answers;
  }
  for (const [given, raw] of Object.entries(value as Record<string, unknown>)) {
    const key = keys.find((k) => k.toLowerCase() === given.trim().toLowerCase());
    if (key === undefined) {
      problems.push({
        field: `answers.${given}`,
        rule: 'known',
        message: `answers.${given} is not a qualification criterion: expected one of ${keys.join(', ') || '(none configured)'}`,
        allowed: keys,
      });
      continue;
    }
    const answer = answerOf(`answers.${key}`, raw, problems);
    if (answer !== undefined) answers[key] = answer;
  }
  return answers;
}

function reasonOf(value: unknown, settings: QualificationSettings, problems: FieldProblem[]): string | undefined {
  const allowed = settings.disqualifyReasons;
  const given = typeof value === 'string' ? cleanText(value) : undefined;
  if (value === undefined || value === null || given === undefined) {
    problems.push({
      field: 'reason',
      rule: 'required',
      message: `reason is required to disqualify: one of ${allowed.join(', ')}`,
      allowed,
    });
    return undefined;
  }
  const reason = allowed.find((r) => r.toLowerCase() === given.toLowerCase());
  if (reason === undefined) {
    problems.push({ field: 'reason', rule: 'enum', message: `reason must be one of ${allowed.join(', ')}`, allowed });
  }
  return reason;
}

/**
 * The decision fields of a body whose status is `status`: answers only with qualified (missing criteria are
 * stored as unknown), a reason only and always with disqualified. Problems are added to `problems`. Without a
 * valid status (its own problem) nothing is checked.
 */
export function parseDecisionFields(
  body: Record<string, unknown>,
  status: LeadStatus | undefined,
  settings: QualificationSettings,
  problems: FieldProblem[],
): DecisionFields {
  const fields: DecisionFields = {};
  if (status === undefined) return fields;
  if (status === 'qualified') fields.answers = answersOf(body.answers, settings, problems);
  else if (body.answers !== undefined && body.answers !== null) {
    problems.push({ field: 'answers', rule: 'status', message: 'answers go with status qualified' });
  }
  if (status === 'disqualified') {
    const reason = reasonOf(body.reason, settings, problems);
    if (reason !== undefined) fields.reason = reason;
  } else if (body.reason !== undefined && body.reason !== null) {
    problems.push({ field: 'reason', rule: 'status', message: 'reason goes with status disqualified' });
  }
  return fields;
}

/** Answers with notes take more room than { status, note, by }: 20 criteria × 500 four-byte characters fit. */
export const MAX_DECISION_BODY_BYTES = 64 * 1024;

export type DecisionUpdateResult =
  { ok: true; update: StatusUpdate & DecisionFields } | { ok: false; body: ProblemBody };

/**
 * The whole PATCH body once decisions are wired: the status fields and the decision fields, every problem at once.
 * Replaces parseStatusUpdate in updateLead then (with MAX_DECISION_BODY_BYTES as the read limit).
 */
export function parseDecisionUpdate(text: string, settings: QualificationSettings): DecisionUpdateResult {
  const read = jsonObjectBody(text, MAX_DECISION_BODY_BYTES, DECISION_BODY_SHAPE);
  if (!read.ok) return { ok: false, body: errorOf('invalid_request', [read.problem]) };
  const problems: FieldProblem[] = [];
  const update = parseStatusFields(read.body, problems);
  const status = isLeadStatus(read.body.status) ? read.body.status : undefined;
  const fields = parseDecisionFields(read.body, status, settings, problems);
  if (update === undefined || problems.length > 0) return { ok: false, body: errorOf('invalid_request', problems) };
  return { ok: true, update: { ...update, ...fields } };
}
