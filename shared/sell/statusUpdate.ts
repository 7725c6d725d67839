/** `PATCH /api/leads/{id}`: the body, checked field by field so a caller learns every problem at once. */
import type { FieldProblem } from '../http/problems';
import { errorOf, type ProblemBody } from '../http/responses';
import { cleanMultilineText, cleanText } from '../marketplace/normalise';
import { isLeadStatus, LEAD_STATUSES, type LeadStatus } from '../record/model';

export const MAX_NOTE_LENGTH = 1000;
export const MAX_BY_LENGTH = 200;
// Generous for { status, note, by } even in four-byte characters; a bigger body is not a status update.
export const MAX_BODY_BYTES = 16 * 1024;

export interface StatusUpdate {
  status: LeadStatus;
  note?: string;
  by?: string;
  /** Where the change was made, for the history: the dashboard says so; any other caller is the API. */
  via: 'api' | 'dashboard';
}

export type StatusUpdateResult = { ok: true; update: StatusUpdate } | { ok: false; body: ProblemBody };

const STATUS_MESSAGE = `status must be one of ${LEAD_STATUSES.join(', ')}`;

function fail(problems: FieldProblem[]): StatusUpdateResult {
  return { ok: false, body: errorOf('invalid_request', problems) };
}

function optionalText(
  body: Record<string, unknown>,
  field: 'note' | 'by',
  max: number,
  problems: FieldProblem[],
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    problems.push({ field, rule: 'type', message: `${field} must be a string` });
    return undefined;
  }
  // Code points, not UTF-16 units, so an emoji counts as one character as a person would count it.
  if ([...value].length > max)
    problems.push({ field, rule: 'maxLength', message: `${field} must be at most ${max} characters` });
  // Cleaned as lead text is (a note keeps its line breaks); both are within their limit, so nothing is cut here.
  return field === 'note' ? cleanMultilineText(value, max) : cleanText(value, max);
}

export function parseStatusUpdate(text: string): StatusUpdateResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    return fail([{ field: 'body', rule: 'maxBytes', message: `the body must be at most ${MAX_BODY_BYTES} bytes` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail([
      {
        field: 'body',
        rule: 'json',
        message: `the body is not JSON: expected {"status": "${LEAD_STATUSES.join('" | "')}", "note"?: string, "by"?: string}`,
      },
    ]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail([{ field: 'body', rule: 'type', message: 'the body must be a JSON object with a status' }]);
  }
  const body = parsed as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const status = body.status;
  if (!isLeadStatus(status)) {
    problems.push({ field: 'status', rule: 'enum', message: STATUS_MESSAGE, allowed: LEAD_STATUSES });
  }
  const note = optionalText(body, 'note', MAX_NOTE_LENGTH, problems);
  const by = optionalText(body, 'by', MAX_BY_LENGTH, problems);
  const via = body.via ?? 'api';
  if (via !== 'api' && via !== 'dashboard')
    problems.push({ field: 'via', rule: 'enum', message: 'via must be api or dashboard' });
  if (problems.length > 0 || !isLeadStatus(status) || (via !== 'api' && via !== 'dashboard')) return fail(problems);
  return { ok: true, update: { status, note, by, via } };
}
