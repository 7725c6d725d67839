/** `POST /api/leads/{id}/cadence/restart`: an optional note and who restarted; an empty body is fine. */
import type { FieldProblem } from '../http/problems';
import { errorOf, type ProblemBody } from '../http/responses';
import type { RestartInput } from '../record/restartCadence';
import { enumField, jsonObjectBody, optionalText } from './bodyFields';
import { MAX_BY_LENGTH, MAX_NOTE_LENGTH } from './statusUpdate';

export const MAX_RESTART_BODY_BYTES = 16 * 1024;

export function parseRestartBody(text: string): { ok: true; restart: RestartInput } | { ok: false; body: ProblemBody } {
  if (text.trim() === '') return { ok: true, restart: { via: 'api' } };
  const read = jsonObjectBody(text, MAX_RESTART_BODY_BYTES, '{"note"?: string, "by"?: string}');
  if (!read.ok) return { ok: false, body: errorOf('invalid_request', [read.problem]) };
  const problems: FieldProblem[] = [];
  const note = optionalText(read.body.note, 'note', MAX_NOTE_LENGTH, problems, true);
  const by = optionalText(read.body.by, 'by', MAX_BY_LENGTH, problems);
  const via = enumField(read.body.via ?? 'api', 'via', ['api', 'dashboard'] as const, problems);
  if (problems.length > 0 || via === undefined) return { ok: false, body: errorOf('invalid_request', problems) };
  return {
    ok: true,
    restart: { ...(note === undefined ? {} : { note }), ...(by === undefined ? {} : { by }), via },
  };
}
