/** Following leads up: when a lead is due, who is reminded and when, and the signed links in the reminders. */
import { Cron } from 'croner';

import type { Checked } from './checked';
import { type Env, type Reader, readGroup } from './reader';

export interface FollowUpPolicySettings {
  followUpHours: number;
  escalateAfterHours: number;
}

/** What verifies a "Mark as contacted" link. */
export interface ContactLinkKeys {
  contactLink: { secret: string; previousSecret?: string };
}

export interface ReminderDelivery {
  reminderSchedule: string;
  /** Offer id or title (lower-cased) → recipients. */
  reminderRoutes: Map<string, string[]>;
  defaultRecipients: string[];
  escalationEmail?: string;
  publicBaseUrl: string;
  contactLinkTtlDays: number;
}

export const DEFAULT_POLICY: FollowUpPolicySettings = { followUpHours: 24, escalateAfterHours: 48 };
export const DEFAULT_REMINDER_SCHEDULE = '0 */15 * * * *';

export function readFollowUpPolicy(env: Env): Checked<FollowUpPolicySettings> {
  return readGroup(env, (r) => {
    const followUpHours = r.number('FOLLOW_UP_HOURS', DEFAULT_POLICY.followUpHours, 1, 24 * 30);
    const escalateAfterHours = r.number('ESCALATE_AFTER_HOURS', DEFAULT_POLICY.escalateAfterHours, 1, 24 * 60);
    if (escalateAfterHours <= followUpHours) {
      r.problem(
        ['ESCALATE_AFTER_HOURS', 'FOLLOW_UP_HOURS'],
        `ESCALATE_AFTER_HOURS (${escalateAfterHours}) must be greater than FOLLOW_UP_HOURS (${followUpHours})`,
      );
    }
    return { followUpHours, escalateAfterHours };
  });
}

function secretOf(r: Reader, name: string, required: boolean): string | undefined {
  const secret = required
    ? r.required(name, 'a random secret of at least 32 characters for signing contact links')
    : r.raw(name);
  if (secret !== undefined && secret !== '' && secret.length < 32)
    r.problem(name, `${name} is too short: expected at least 32 characters`);
  return secret;
}

export function readContactLinkKeys(env: Env): Checked<ContactLinkKeys> {
  return readGroup(env, (r) => ({
    contactLink: {
      secret: secretOf(r, 'CONTACT_LINK_SECRET', true) ?? '',
      previousSecret: secretOf(r, 'CONTACT_LINK_PREVIOUS_SECRET', false),
    },
  }));
}

function readSchedule(r: Reader): string {
  const schedule = r.raw('REMINDER_SCHEDULE') ?? DEFAULT_REMINDER_SCHEDULE;
  if (schedule.split(/\s+/).length !== 6) {
    r.problem('REMINDER_SCHEDULE', `REMINDER_SCHEDULE is "${schedule}": expected six NCRONTAB fields, seconds first`);
  } else {
    try {
      new Cron(schedule, { paused: true, mode: '6-part' });
    } catch (e) {
      r.problem('REMINDER_SCHEDULE', `REMINDER_SCHEDULE is "${schedule}": ${(e as Error).message}`);
    }
  }
  return schedule;
}

/** The timer's schedule, needed at registration: the setting when valid, else the default (and runs fail). */
export function reminderBindingSchedule(env: Env): string {
  const schedule = readGroup(env, readSchedule);
  return schedule.ok ? schedule.value : DEFAULT_REMINDER_SCHEDULE;
}

function readRoutes(r: Reader): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  const text = r.raw('REMINDER_ROUTES');
  if (text === undefined) return routes;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    r.problem(
      'REMINDER_ROUTES',
      'REMINDER_ROUTES is not JSON: expected {"<offer id or title>": "a@x.com, b@x.com" | ["a@x.com"]}',
    );
    return routes;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    r.problem('REMINDER_ROUTES', 'REMINDER_ROUTES must be a JSON object mapping an offer id or title to addresses');
    return routes;
  }
  for (const [offer, value] of Object.entries(parsed)) {
    const entry = `REMINDER_ROUTES["${offer}"]`;
    const list =
      typeof value === 'string'
        ? r.emails('REMINDER_ROUTES', value, entry)
        : Array.isArray(value) && value.every((v) => typeof v === 'string')
          ? r.emails('REMINDER_ROUTES', value.join(','), entry)
          : undefined;
    if (list === undefined || list.length === 0) {
      r.problem('REMINDER_ROUTES', `${entry} must be one or more email addresses`);
      continue;
    }
    routes.set(offer.trim().toLowerCase(), list);
  }
  return routes;
}

function readPublicBaseUrl(r: Reader): string {
  const explicit = r.raw('PUBLIC_BASE_URL');
  const host = r.env.WEBSITE_HOSTNAME?.trim();
  const url = explicit ?? (host ? `https://${host}` : undefined);
  if (url === undefined) {
    r.problem(
      'PUBLIC_BASE_URL',
      "PUBLIC_BASE_URL is missing: expected the app's base URL, e.g. https://contoso-leads.azurewebsites.net",
    );
    return '';
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http');
  } catch {
    r.problem('PUBLIC_BASE_URL', `PUBLIC_BASE_URL is "${url}": expected an http(s) URL`);
  }
  return url.replace(/\/+$/, '');
}

/** Whom a lead goes to: REMINDER_ROUTES and REMINDER_RECIPIENTS, and nothing else reminders need. */
export type OwnerRouting = Pick<ReminderDelivery, 'reminderRoutes' | 'defaultRecipients'>;

function readRouting(r: Reader): OwnerRouting {
  const reminderRoutes = readRoutes(r);
  const defaultRecipients = r.emails('REMINDER_RECIPIENTS', r.raw('REMINDER_RECIPIENTS'));
  if (defaultRecipients.length === 0) {
    r.problem(
      'REMINDER_RECIPIENTS',
      'REMINDER_RECIPIENTS is missing: expected one or more email addresses for offers without a route',
    );
  }
  return { reminderRoutes, defaultRecipients };
}

/**
 * The owner routing on its own, for assigning owners: a wrong PUBLIC_BASE_URL or CONTACT_LINK_TTL_DAYS stops
 * reminders, not owners (the reminders group reads the same two settings and reports them too).
 */
export function readOwnerRouting(env: Env): Checked<OwnerRouting> {
  return readGroup(env, readRouting);
}

export function readReminders(env: Env): Checked<ReminderDelivery> {
  return readGroup(env, (r) => {
    const reminderSchedule = readSchedule(r);
    const { reminderRoutes, defaultRecipients } = readRouting(r);
    const escalationEmail = r.raw('ESCALATION_EMAIL');
    if (escalationEmail !== undefined) r.emails('ESCALATION_EMAIL', escalationEmail);
    return {
      reminderSchedule,
      reminderRoutes,
      defaultRecipients,
      escalationEmail,
      publicBaseUrl: readPublicBaseUrl(r),
      contactLinkTtlDays: r.number('CONTACT_LINK_TTL_DAYS', 14, 1, 90),
    };
  });
}

/** What a reminder run needs, the link lifetime moved beside the link keys where the digest looks for it. */
export function withLinkLifetime<T extends ContactLinkKeys & ReminderDelivery>(
  v: T,
): Omit<T, 'contactLinkTtlDays'> & { contactLink: T['contactLink'] & { ttlDays: number } } {
  const { contactLinkTtlDays, ...rest } = v;
  return { ...rest, contactLink: { ...v.contactLink, ttlDays: contactLinkTtlDays } };
}
