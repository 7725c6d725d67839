/**
 * What the local host stands in for, and what it was tested with. It serves its own copy of the worker's
 * `@azure/functions-core` (coreTypes.ts, typed by hand: the package ships no types for it), and `@azure/functions`
 * calls into that copy. Another library version may call what the copy lacks or expect another shape, and break
 * without an error anyone would notice, so the host refuses to start with one it was not tested with.
 */

/** `@azure/functions` versions `npm test` passed with. Add one only after checking coreTypes.ts against it. */
export const TESTED_FUNCTIONS_LIBRARY_VERSIONS: readonly string[] = ['4.16.5'];

/** The Node worker version whose core API the stand-in reports (`version` of `@azure/functions-core`). */
export const WORKER_CORE_VERSION = '3.10.1';
