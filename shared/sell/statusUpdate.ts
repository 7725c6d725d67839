/** `PATCH /api/leads/{id}`: the body, checked field by field so a caller learns every problem at once. */
import type { FieldProblem } from '../http/problems';
import { errorOf, type ProblemBody } from '../http/responses';
import { isLeadStatus, LEAD_STATUSES, type LeadStatus } from '../record/model';
import { jsonObjectBody, optionalText } from './bodyFields';

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
const BODY_SHAPE = `{"status": "${LEAD_STATUSES.join('" | "')}", "note"?: string, "by"?: string}`;

function fail(problems: FieldProblem[]): StatusUpdateResult {
  return { ok: false, body: errorOf('invalid_request', problems) };
}

export function parseStatusUpdate(text: string): StatusUpdateResult {
  const read = jsonObjectBody(text, MAX_BODY_BYTES, BODY_SHAPE);
  if (!read.ok) return fail([read.problem]);
  const problems: FieldProblem[] = [];
  const update = parseStatusFields(read.body, problems);
  return update === undefined || problems.length > 0 ? fail(problems) : { ok: true, update };
}

/** The status fields of a body already read as an object; problems are added to `problems`. */
export function parseStatusFields(body: Record<string, unknown>, problems: FieldProblem[]): StatusUpdate | undefined {
  const status = body.status;
  if (!isLeadStatus(status)) {
    problems.push({ field: 'status', rule: 'enum', message: STATUS_MESSAGE, allowed: LEAD_STATUSES });
  }
  const note = optionalText(body.note, 'note', MAX_NOTE_LENGTH, problems, true);
  const by = optionalText(body.by, 'by', MAX_BY_LENGTH, problems);
  const via = body.via ?? 'api';
  if (via !== 'api' && via !== 'dashboard')
    problems.push({ field: 'via', rule: 'enum', message: 'via must be api or dashboard' });
  if (!isLeadStatus(status) || (via !== 'api' && via !== 'dashboard')) return undefined;
  return { status, note, by, via };
}
