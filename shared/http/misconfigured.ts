import type { HttpResponseInit, InvocationContext } from '@azure/functions';

import { settingNames, type SettingProblem } from '../config';
import { problem } from './responses';

/** The answer of an endpoint whose settings are missing or malformed: their names, never their values. */
export function misconfigured(context: InvocationContext, problems: readonly SettingProblem[]): HttpResponseInit {
  const settings = settingNames(problems);
  // The log gets the whole story (what is wrong and what is expected); the caller only the names.
  context.error(`Misconfigured app settings: ${problems.map((p) => p.message).join('; ')}`);
  return problem(500, 'misconfigured', `This endpoint needs app settings that are missing or malformed.`, { settings });
}
