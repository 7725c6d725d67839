/**
 * `PATCH /api/leads/{id}`: a status change (statusUpdate.ts), an owner change (`owner`: one of the recipients the
 * settings name, with an optional `note` and `by`), or both at once. Checked field by field so a caller learns every
 * problem at once.
 */
import type { QualificationSettings } from '../config/nurture';
import { parseOwnerField } from '../followUp/ownerEvents';
import type { FieldProblem } from '../http/problems';
import { errorOf, type ProblemBody } from '../http/responses';
import type { DecisionFields } from '../record/decisions';
import { LEAD_STATUSES } from '../record/model';
import { jsonObjectBody, optionalText } from './bodyFields';
import { MAX_DECISION_BODY_BYTES, parseDecisionFields } from './decisionBody';
import { MAX_BY_LENGTH, MAX_NOTE_LENGTH, parseStatusFields, type StatusUpdate } from './statusUpdate';

export interface OwnerUpdate {
  owner: string;
  note?: string;
  by?: string;
  via: 'api' | 'dashboard';
}

export interface LeadPatch {
  status?: StatusUpdate & DecisionFields;
  owner?: OwnerUpdate;
}

export type LeadPatchResult = { ok: true; patch: LeadPatch } | { ok: false; body: ProblemBody };

const BODY_SHAPE = `{"status"?: "${LEAD_STATUSES.join('" | "')}", "owner"?: string, "note"?: string, "by"?: string, "answers"?: {…}, "reason"?: string}`;

/**
 * `known`: every address the settings name (routes and defaults), as the settings spell them; `qualification`: the
 * criteria answers are checked against and the reasons a disqualification may give (decisionBody.ts).
 */
export function parseLeadPatch(
  text: string,
  known: readonly string[],
  qualification: QualificationSettings,
): LeadPatchResult {
  const read = jsonObjectBody(text, MAX_DECISION_BODY_BYTES, BODY_SHAPE);
  const problems: FieldProblem[] = [];
  if (!read.ok) return { ok: false, body: errorOf('invalid_request', [read.problem]) };
  const body = read.body;
  const patch: LeadPatch = {};
  if (body.owner === undefined && body.status === undefined) {
    problems.push({
      field: 'body',
      rule: 'required',
      message: `the body must name a status or an owner: ${BODY_SHAPE}`,
    });
  }
  if (body.status !== undefined) {
    const update = parseStatusFields(body, problems);
    const fields = parseDecisionFields(body, update?.status, qualification, problems);
    if (update !== undefined) patch.status = { ...update, ...fields };
  }
  if (body.owner !== undefined) {
    const owner = parseOwnerField(body.owner, known);
    if (!owner.ok) problems.push(owner.problem);
    const note = optionalText(body.note, 'note', MAX_NOTE_LENGTH, problems, true);
    const by = optionalText(body.by, 'by', MAX_BY_LENGTH, problems);
    const via = body.via === 'dashboard' ? 'dashboard' : 'api';
    // With a status change in the same body, the note and `by` belong to it; the owner event names `by` only.
    if (owner.ok) patch.owner = { owner: owner.value, note: body.status === undefined ? note : undefined, by, via };
  }
  return problems.length > 0 ? { ok: false, body: errorOf('invalid_request', problems) } : { ok: true, patch };
}
