/**
 * What is wrong with one field of a request (a body field, a query or route parameter), in the one shape every
 * error answer carries (docs/api.md, "Errors"): the field, the rule it breaks, a sentence, and for closed sets the
 * values it takes, so a typo is fixed without reading docs.
 */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
  allowed?: readonly string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

/** `says` continues the field's name: bad('limit', 'range', 'is "0": expected …') reads "limit is "0": expected …". */
export const bad = (
  field: string,
  rule: string,
  says: string,
  allowed?: readonly string[],
): { ok: false; problem: FieldProblem } => {
  const message = field === '' ? says : `${field} ${says}`;
  return { ok: false, problem: allowed ? { field, rule, message, allowed } : { field, rule, message } };
};
