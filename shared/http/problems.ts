/**
 * What a caller did wrong with a query, in a form the handlers turn into one 400 body: the parameter, why, and
 * (when the parameter takes a fixed set of values) what it accepts, so a typo is fixed without reading docs.
 */
export interface ParamProblem {
  parameter: string;
  message: string;
  allowed?: readonly string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: ParamProblem };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

export const bad = (
  parameter: string,
  message: string,
  allowed?: readonly string[],
): { ok: false; problem: ParamProblem } => ({
  ok: false,
  problem: allowed ? { parameter, message, allowed } : { parameter, message },
});
