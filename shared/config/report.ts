import { misconfiguredCapabilities } from './capabilities';
import { settingNames } from './checked';
import { allProblems, type Settings } from './settings';

/**
 * Every settings problem in one block, for the log at start (in Azure and under `npm start`), or undefined when
 * there is none. Names and expectations only: a secret's value is never quoted.
 */
export function settingsReport(s: Settings): string | undefined {
  const problems = allProblems(s);
  if (problems.length === 0) return undefined;
  const lines = [
    `App settings: ${problems.length} problem(s). Functions that need these settings fail naming them until they are fixed; the others run.`,
    ...problems.map((p) => `  - ${p.message}`),
    ...misconfiguredCapabilities(s).map((c) => `  misconfigured: ${c.capability} (${c.settings.join(', ')})`),
  ];
  if (!s.followUpPolicy.ok) {
    const names = settingNames(s.followUpPolicy.problems).join(', ');
    lines.push(`  records get the default follow-up policy (24 h, 48 h) until ${names} is fixed`);
  }
  return lines.join('\n');
}
