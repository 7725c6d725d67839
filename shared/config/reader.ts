/** Reads settings from an environment and collects what is wrong with them, naming each setting. */
import type { Checked, SettingProblem } from './checked';
import { isUnresolvedKeyVaultReference, unresolvedReference } from './keyVault';
import { timeSpanMs } from './timeSpan';

export type Env = Record<string, string | undefined>;

// Deliberately simple: one @, something on each side, a dot in the domain. Anything stricter rejects real addresses.
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

export class Reader {
  readonly problems: SettingProblem[] = [];
  private readonly unresolved = new Set<string>();
  constructor(readonly env: Env) {}

  problem(setting: string | string[], message: string): void {
    this.problems.push({ settings: Array.isArray(setting) ? setting : [setting], message });
  }

  /** The setting's value, trimmed; undefined when blank, or when it is a Key Vault reference left unresolved. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    if (isUnresolvedKeyVaultReference(value)) {
      if (!this.unresolved.has(name)) this.problems.push(unresolvedReference(name));
      this.unresolved.add(name);
      return undefined;
    }
    return value === '' ? undefined : value;
  }

  /** Whether the setting has any value, an unresolved Key Vault reference included. */
  given(name: string): boolean {
    return (this.env[name]?.trim() ?? '') !== '';
  }

  required(name: string, expected: string): string {
    const value = this.raw(name);
    if (value === undefined && !this.unresolved.has(name))
      this.problem(name, `${name} is missing: expected ${expected}`);
    return value ?? '';
  }

  matching(name: string, fallback: string, pattern: RegExp, expected: string): string {
    const value = this.raw(name) ?? fallback;
    if (!pattern.test(value)) this.problem(name, `${name} is "${value}": expected ${expected}`);
    return value;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problem(name, `${name} is "${text}": expected a number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  /** A TimeSpan setting ("hh:mm:ss", as host.json writes durations) in whole seconds, rounded up. */
  timeSpanSeconds(name: string, fallback: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const ms = timeSpanMs(text);
    if (ms === undefined) {
      this.problem(name, `${name} is "${text}": expected a TimeSpan like 00:00:10`);
      return fallback;
    }
    return Math.ceil(ms / 1000);
  }

  /** `setting` is the name reported; `label` what the message calls the value (e.g. one entry of a JSON map). */
  emails(setting: string, text: string | undefined, label = setting): string[] {
    if (text === undefined) return [];
    const list = text
      .split(/[,;]/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const address of list) {
      if (!EMAIL.test(address)) this.problem(setting, `${label} has "${address}": expected an email address`);
    }
    return list;
  }
}

/** Reads one group of settings with a fresh reader: its value, or its own problems. */
export function readGroup<T>(env: Env, read: (r: Reader) => T): Checked<T> {
  const r = new Reader(env);
  const value = read(r);
  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, value };
}
