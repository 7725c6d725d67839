/**
 * Settings of nurturing and qualifying leads: the cadence of touches after the first attempt, the qualification
 * criteria and disqualification reasons sales apply, and how long each offer's trials run. Readers in the style of
 * the other groups (a value, or problems naming the setting); not yet part of config/settings.ts.
 */
import { cleanText } from '../marketplace/text';
import type { Checked } from './checked';
import { type Env, type Reader, readGroup } from './reader';

export const DEFAULT_CADENCE_DAYS: readonly number[] = [2, 5, 10];
export const MAX_CADENCE_STEPS = 10;
export const MAX_CADENCE_DAY = 90;

export interface Criterion {
  /** What answers are stored under: letters, digits, `_` and `-`, starting with a letter. */
  key: string;
  label: string;
  description?: string;
}

/** The article's example, BANT: what most sales teams mean by "qualified" when nobody wrote it down. */
export const DEFAULT_CRITERIA: readonly Criterion[] = [
  { key: 'budget', label: 'Budget', description: 'The customer has or can get the money for it.' },
  { key: 'authority', label: 'Authority', description: 'We talk to someone who decides, or who leads us to them.' },
  { key: 'need', label: 'Need', description: 'The offer solves a problem the customer has.' },
  { key: 'timing', label: 'Timing', description: 'The customer means to buy within a time we can plan for.' },
];

export const DEFAULT_DISQUALIFY_REASONS: readonly string[] = [
  'No budget',
  'No need',
  'Not a decision maker',
  'Bad timing',
  'Chose a competitor',
  'Unreachable',
  'Not a real lead',
  'Other',
];

export const MAX_CRITERIA = 20;
export const MAX_REASONS = 30;
export const MAX_LABEL_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;
const CRITERION_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

export interface NurtureSettings {
  /** Days after the first attempt on which the owner is reminded of the next touch, ascending; empty: off. */
  cadenceDays: number[];
}

export interface QualificationSettings {
  criteria: Criterion[];
  disqualifyReasons: string[];
}

/** How long a trial of each kind runs, in days. */
export interface TrialDays {
  freeTrial: number;
  testDrive: number;
}

/** Microsoft's free trials are commonly a month; a test drive is an hours-long hands-on session, a day at most. */
export const DEFAULT_TRIAL_DAYS: TrialDays = { freeTrial: 30, testDrive: 1 };
export const MAX_TRIAL_DAYS = 365;

export interface TrialSettings {
  /** Offer id or title (lower-cased, keyed like REMINDER_ROUTES) → its trial lengths where they differ. */
  offerTrialDays: Map<string, Partial<TrialDays>>;
  defaultTrialDays: TrialDays;
}

function readCadence(r: Reader): number[] {
  const text = r.raw('NURTURE_CADENCE_DAYS');
  if (text === undefined) return [...DEFAULT_CADENCE_DAYS];
  if (text.toLowerCase() === 'off') return [];
  const expected = `expected ascending whole days after the first attempt, e.g. "2,5,10" (at most ${MAX_CADENCE_STEPS}, each 1 to ${MAX_CADENCE_DAY}), or "off"`;
  const parts = text.split(',').map((p) => p.trim());
  const days = parts.map(Number);
  const valid =
    parts.length <= MAX_CADENCE_STEPS &&
    parts.every((p) => /^\d+$/.test(p)) &&
    days.every((d) => d >= 1 && d <= MAX_CADENCE_DAY) &&
    days.every((d, i) => i === 0 || d > (days[i - 1] ?? 0));
  if (!valid) {
    r.problem('NURTURE_CADENCE_DAYS', `NURTURE_CADENCE_DAYS is "${text}": ${expected}`);
    return [...DEFAULT_CADENCE_DAYS];
  }
  return days;
}

export function readNurture(env: Env): Checked<NurtureSettings> {
  return readGroup(env, (r) => ({ cadenceDays: readCadence(r) }));
}

function jsonOf(r: Reader, name: string, text: string, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    r.problem(name, `${name} is not JSON: expected ${expected}`);
    return undefined;
  }
}

/** A label-like text: cleaned, non-empty, within `max`; a problem naming the setting and the entry otherwise. */
function labelText(r: Reader, name: string, entry: string, value: unknown, max: number): string | undefined {
  const text = typeof value === 'string' ? cleanText(value, max + 1) : undefined;
  if (text === undefined || [...text].length > max) {
    r.problem(name, `${entry} must be a text of 1 to ${max} characters`);
    return undefined;
  }
  return text;
}

function readCriterion(r: Reader, value: unknown, index: number, seen: Set<string>): Criterion | undefined {
  const name = 'QUALIFICATION_CRITERIA';
  const entry = `${name}[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    r.problem(name, `${entry} must be an object {"key", "label", "description"?}`);
    return undefined;
  }
  const { key, label, description, ...rest } = value as Record<string, unknown>;
  for (const extra of Object.keys(rest)) r.problem(name, `${entry} has "${extra}": expected key, label, description`);
  if (typeof key !== 'string' || !CRITERION_KEY.test(key)) {
    r.problem(name, `${entry}.key must be 1 to 40 letters, digits, _ or -, starting with a letter`);
    return undefined;
  }
  if (seen.has(key.toLowerCase())) r.problem(name, `${entry}.key "${key}" is used twice`);
  seen.add(key.toLowerCase());
  const text = labelText(r, name, `${entry}.label`, label, MAX_LABEL_LENGTH);
  const about =
    description === undefined
      ? undefined
      : labelText(r, name, `${entry}.description`, description, MAX_DESCRIPTION_LENGTH);
  if (text === undefined) return undefined;
  return about === undefined ? { key, label: text } : { key, label: text, description: about };
}

function readCriteria(r: Reader): Criterion[] {
  const name = 'QUALIFICATION_CRITERIA';
  const text = r.raw(name);
  if (text === undefined) return DEFAULT_CRITERIA.map((c) => ({ ...c }));
  const parsed = jsonOf(r, name, text, '[{"key": "budget", "label": "Budget", "description"?: "…"}, …]');
  if (parsed === undefined) return [];
  if (!Array.isArray(parsed) || parsed.length > MAX_CRITERIA) {
    r.problem(name, `${name} must be a JSON list of at most ${MAX_CRITERIA} criteria`);
    return [];
  }
  const seen = new Set<string>();
  return parsed.flatMap((value, i) => readCriterion(r, value, i, seen) ?? []);
}

/** A JSON list of texts, or (being easier to type in a portal) a comma-separated list. */
function readReasons(r: Reader): string[] {
  const name = 'DISQUALIFY_REASONS';
  const text = r.raw(name);
  if (text === undefined) return [...DEFAULT_DISQUALIFY_REASONS];
  let values: unknown[];
  if (text.startsWith('[')) {
    const parsed = jsonOf(r, name, text, '["No budget", "No need", …] or a comma-separated list');
    if (parsed === undefined) return [];
    if (!Array.isArray(parsed)) {
      r.problem(name, `${name} must be a JSON list of texts or a comma-separated list`);
      return [];
    }
    values = parsed;
  } else {
    values = text.split(',');
  }
  const reasons: string[] = [];
  const seen = new Set<string>();
  values.forEach((value, i) => {
    const reason = labelText(r, name, `${name}[${i}]`, value, MAX_LABEL_LENGTH);
    if (reason === undefined) return;
    if (seen.has(reason.toLowerCase())) r.problem(name, `${name} names "${reason}" twice`);
    seen.add(reason.toLowerCase());
    reasons.push(reason);
  });
  if (values.length === 0 || values.length > MAX_REASONS) {
    r.problem(name, `${name} must name 1 to ${MAX_REASONS} reasons`);
  }
  return reasons;
}

export function readQualification(env: Env): Checked<QualificationSettings> {
  return readGroup(env, (r) => ({ criteria: readCriteria(r), disqualifyReasons: readReasons(r) }));
}

function trialDays(r: Reader, entry: string, value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TRIAL_DAYS) {
    r.problem('OFFER_TRIAL_DAYS', `${entry} must be a number of days above 0, at most ${MAX_TRIAL_DAYS}`);
    return undefined;
  }
  return value;
}

function readOfferTrialDays(r: Reader): Map<string, Partial<TrialDays>> {
  const name = 'OFFER_TRIAL_DAYS';
  const offers = new Map<string, Partial<TrialDays>>();
  const text = r.raw(name);
  if (text === undefined) return offers;
  const expected = '{"<offer id or title>": <days> | {"freeTrial"?: <days>, "testDrive"?: <days>}}';
  const parsed = jsonOf(r, name, text, expected);
  if (parsed === undefined) return offers;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    r.problem(name, `${name} must be a JSON object: ${expected}`);
    return offers;
  }
  for (const [offer, value] of Object.entries(parsed)) {
    const entry = `${name}["${offer}"]`;
    if (typeof value === 'number') {
      const days = trialDays(r, entry, value);
      if (days !== undefined) offers.set(offer.trim().toLowerCase(), { freeTrial: days, testDrive: days });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      r.problem(name, `${entry} must be a number of days or {"freeTrial"?: <days>, "testDrive"?: <days>}`);
      continue;
    }
    const days: Partial<TrialDays> = {};
    for (const [kind, v] of Object.entries(value as Record<string, unknown>)) {
      if (kind !== 'freeTrial' && kind !== 'testDrive') {
        r.problem(name, `${entry} has "${kind}": expected freeTrial or testDrive`);
        continue;
      }
      const d = trialDays(r, `${entry}.${kind}`, v);
      if (d !== undefined) days[kind] = d;
    }
    offers.set(offer.trim().toLowerCase(), days);
  }
  return offers;
}

export function readTrials(env: Env): Checked<TrialSettings> {
  return readGroup(env, (r) => ({
    offerTrialDays: readOfferTrialDays(r),
    defaultTrialDays: { ...DEFAULT_TRIAL_DAYS },
  }));
}
