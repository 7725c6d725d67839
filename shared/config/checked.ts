/**
 * A group of settings is either a value or the list of what is wrong with it, each problem naming its settings.
 * Nothing here throws: a function that needs a misconfigured group answers "misconfigured", the others run.
 */
export interface SettingProblem {
  /** The settings the problem is about, by name: what `GET /api/health` and a misconfigured answer show. */
  settings: string[];
  /** For logs and the start-up block: the setting, its value when not secret, and what is expected. */
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: SettingProblem[] };

type ValueOf<C> = C extends { ok: true; value: infer V } ? V : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** All groups at once: the merged value when every group is valid, else every problem of every group. */
export function all<const T extends readonly Checked<object>[]>(
  ...groups: T
): Checked<Intersection<ValueOf<T[number]>>> {
  const problems = groups.flatMap((g) => (g.ok ? [] : g.problems));
  if (problems.length > 0) return { ok: false, problems };
  const value = Object.assign({}, ...groups.map((g) => (g.ok ? g.value : {}))) as Intersection<ValueOf<T[number]>>;
  return { ok: true, value };
}

/** The setting names of a list of problems, each once, in order of appearance. */
export function settingNames(problems: readonly SettingProblem[]): string[] {
  return [...new Set(problems.flatMap((p) => p.settings))];
}

export function mapChecked<T, U>(checked: Checked<T>, f: (value: T) => U): Checked<U> {
  return checked.ok ? { ok: true, value: f(checked.value) } : checked;
}

/** For timer and queue functions, where failing is how a problem is seen: the error names every setting. */
export class MisconfiguredError extends Error {
  constructor(readonly problems: readonly SettingProblem[]) {
    super(`Misconfigured app settings: ${problems.map((p) => p.message).join('; ')}`);
    this.name = 'MisconfiguredError';
  }
}

export function valueOrThrow<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new MisconfiguredError(checked.problems);
  return checked.value;
}
