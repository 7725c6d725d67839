import { settingNames, type SettingProblem } from '../config';
import type { AnswerContext, HttpAnswer } from './answer';
import { errorAnswer } from './responses';

/** The answer of an endpoint whose settings are missing or malformed: their names, never their values. */
export function misconfigured(context: AnswerContext, problems: readonly SettingProblem[]): HttpAnswer {
  const settings = settingNames(problems);
  // The log gets the whole story (what is wrong and what is expected); the caller only the names.
  context.error(`Misconfigured app settings: ${problems.map((p) => p.message).join('; ')}`);
  const message = `This endpoint needs app settings that are missing or malformed: ${settings.join(', ')}.`;
  return errorAnswer(500, { error: 'misconfigured', message }, { settings });
}
