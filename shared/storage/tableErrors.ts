/** Table Storage answers we act on, named the way the service names them. */
export function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number'
    ? error.statusCode
    : undefined;
}

export const isNotFound = (e: unknown): boolean => statusOf(e) === 404;
/** 409 EntityAlreadyExists on insert. */
export const isAlreadyExists = (e: unknown): boolean => statusOf(e) === 409;
/** 412 UpdateConditionNotSatisfied on a failed If-Match. */
export const isPreconditionFailed = (e: unknown): boolean => statusOf(e) === 412;
