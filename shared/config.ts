/**
 * Every app setting the app reads, read and validated once. A missing or malformed setting fails at start with
 * its name and what is expected, never later in the middle of a lead.
 */
import { Cron } from 'croner';

export type MailTransportKind = 'smtp' | 'outbox';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
}

export interface AppConfig {
  storageConnectionString: string;
  queueName: string;
  poisonQueueName: string;
  /** The queue trigger's tries before a message is poisoned: host.json's value, or the app setting that overrides it. */
  maxDequeueCount: number;
  tables: {
    leads: string;
    leadKeys: string;
    events: string;
    followUps: string;
    rejected: string;
    locks: string;
    poisoned: string;
  };
  followUpHours: number;
  escalateAfterHours: number;
  reminderSchedule: string;
  /** Offer id or title (lower-cased) → recipients. */
  reminderRoutes: Map<string, string[]>;
  defaultRecipients: string[];
  escalationEmail?: string;
  contactLink: { secret: string; previousSecret?: string; ttlDays: number };
  publicBaseUrl: string;
  mail: { transport: MailTransportKind; from: string; smtp?: SmtpSettings; outboxDir: string };
  appInsightsConnectionString?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

// Deliberately simple: one @, something on each side, a dot in the domain. Anything stricter rejects real addresses.
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const QUEUE_NAME = /^(?!-)(?!.*--)[a-z0-9-]{3,57}(?<!-)$/;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  required(name: string, expected: string): string {
    const value = this.raw(name);
    if (value === undefined) this.problems.push(`${name} is missing: expected ${expected}`);
    return value ?? '';
  }

  matching(name: string, fallback: string, pattern: RegExp, expected: string): string {
    const value = this.raw(name) ?? fallback;
    if (!pattern.test(value)) this.problems.push(`${name} is "${value}": expected ${expected}`);
    return value;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${name} is "${text}": expected a number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  emails(name: string, text: string | undefined): string[] {
    if (text === undefined) return [];
    const list = text
      .split(/[,;]/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const address of list) {
      if (!EMAIL.test(address)) this.problems.push(`${name} has "${address}": expected an email address`);
    }
    return list;
  }
}

function readRoutes(r: Reader): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  const text = r.raw('REMINDER_ROUTES');
  if (text === undefined) return routes;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    r.problems.push('REMINDER_ROUTES is not JSON: expected {"<offer id or title>": "a@x.com, b@x.com" | ["a@x.com"]}');
    return routes;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    r.problems.push('REMINDER_ROUTES must be a JSON object mapping an offer id or title to addresses');
    return routes;
  }
  for (const [offer, value] of Object.entries(parsed)) {
    const entry = `REMINDER_ROUTES["${offer}"]`;
    const list =
      typeof value === 'string'
        ? r.emails(entry, value)
        : Array.isArray(value) && value.every((v) => typeof v === 'string')
          ? r.emails(entry, value.join(','))
          : undefined;
    if (list === undefined || list.length === 0) {
      r.problems.push(`${entry} must be one or more email addresses`);
      continue;
    }
    routes.set(offer.trim().toLowerCase(), list);
  }
  return routes;
}

function readMail(r: Reader): AppConfig['mail'] {
  const transport = r.raw('MAIL_TRANSPORT');
  const outboxDir = r.raw('OUTBOX_DIR') ?? 'outbox';
  const from = r.required('MAIL_FROM', 'the sender address of reminder emails, e.g. "Leads <leads@contoso.com>"');
  if (transport === 'outbox') return { transport, from, outboxDir };
  if (transport !== 'smtp') {
    r.problems.push(
      `MAIL_TRANSPORT is ${transport === undefined ? 'missing' : `"${transport}"`}: expected "smtp" or "outbox"`,
    );
    return { transport: 'outbox', from, outboxDir };
  }
  const secureText = r.raw('SMTP_SECURE') ?? 'false';
  if (secureText !== 'true' && secureText !== 'false')
    r.problems.push(`SMTP_SECURE is "${secureText}": expected true or false`);
  const smtp: SmtpSettings = {
    host: r.required('SMTP_HOST', 'the SMTP server host name when MAIL_TRANSPORT=smtp'),
    port: r.number('SMTP_PORT', 587, 1, 65535),
    secure: secureText === 'true',
    user: r.raw('SMTP_USER'),
    password: r.raw('SMTP_PASSWORD'),
  };
  if ((smtp.user === undefined) !== (smtp.password === undefined)) {
    r.problems.push('SMTP_USER and SMTP_PASSWORD must be set together (or both left empty for an open relay)');
  }
  return { transport, from, smtp, outboxDir };
}

function readPublicBaseUrl(r: Reader, env: Env): string {
  const explicit = r.raw('PUBLIC_BASE_URL');
  const host = env.WEBSITE_HOSTNAME?.trim();
  const url = explicit ?? (host ? `https://${host}` : undefined);
  if (url === undefined) {
    r.problems.push(
      "PUBLIC_BASE_URL is missing: expected the app's base URL, e.g. https://contoso-leads.azurewebsites.net",
    );
    return '';
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http');
  } catch {
    r.problems.push(`PUBLIC_BASE_URL is "${url}": expected an http(s) URL`);
  }
  return url.replace(/\/+$/, '');
}

export function loadConfig(env: Env): AppConfig {
  const r = new Reader(env);
  const storageConnectionString = r.required(
    'AzureWebJobsStorage',
    'a storage connection string (UseDevelopmentStorage=true for Azurite)',
  );
  const queueName = r.matching(
    'LEADS_QUEUE_NAME',
    'leads-incoming',
    QUEUE_NAME,
    'a queue name of 3-57 lower-case letters, digits and single hyphens',
  );
  // A prefix lets several installations (or test runs) share one storage account.
  const prefix = r.raw('TABLE_NAME_PREFIX') ?? '';
  // The longest name is RejectedLeads: if it fits, all do.
  if (!TABLE_NAME.test(`${prefix}RejectedLeads`)) {
    r.problems.push(
      `TABLE_NAME_PREFIX is "${prefix}": expected up to 50 letters and digits, starting with a letter (table names are 3-63)`,
    );
  }
  const table = (name: string): string => `${prefix}${name}`;
  const followUpHours = r.number('FOLLOW_UP_HOURS', 24, 1, 24 * 30);
  const escalateAfterHours = r.number('ESCALATE_AFTER_HOURS', 48, 1, 24 * 60);
  if (escalateAfterHours <= followUpHours) {
    r.problems.push(
      `ESCALATE_AFTER_HOURS (${escalateAfterHours}) must be greater than FOLLOW_UP_HOURS (${followUpHours})`,
    );
  }
  const reminderSchedule = r.raw('REMINDER_SCHEDULE') ?? '0 */15 * * * *';
  if (reminderSchedule.split(/\s+/).length !== 6) {
    r.problems.push(`REMINDER_SCHEDULE is "${reminderSchedule}": expected six NCRONTAB fields, seconds first`);
  } else {
    try {
      new Cron(reminderSchedule, { paused: true, mode: '6-part' });
    } catch (e) {
      r.problems.push(`REMINDER_SCHEDULE is "${reminderSchedule}": ${(e as Error).message}`);
    }
  }
  const reminderRoutes = readRoutes(r);
  const defaultRecipients = r.emails('REMINDER_RECIPIENTS', r.raw('REMINDER_RECIPIENTS'));
  if (defaultRecipients.length === 0) {
    r.problems.push('REMINDER_RECIPIENTS is missing: expected one or more email addresses for offers without a route');
  }
  const escalationEmail = r.raw('ESCALATION_EMAIL');
  if (escalationEmail !== undefined) r.emails('ESCALATION_EMAIL', escalationEmail);

  const secret = r.required(
    'CONTACT_LINK_SECRET',
    'a random secret of at least 32 characters for signing contact links',
  );
  if (secret !== '' && secret.length < 32)
    r.problems.push('CONTACT_LINK_SECRET is too short: expected at least 32 characters');
  const previousSecret = r.raw('CONTACT_LINK_PREVIOUS_SECRET');
  if (previousSecret !== undefined && previousSecret.length < 32) {
    r.problems.push('CONTACT_LINK_PREVIOUS_SECRET is too short: expected at least 32 characters');
  }
  const ttlDays = r.number('CONTACT_LINK_TTL_DAYS', 14, 1, 90);

  const config: AppConfig = {
    storageConnectionString,
    queueName,
    poisonQueueName: `${queueName}-poison`,
    // Keep the default in step with host.json (extensions.queues.maxDequeueCount).
    maxDequeueCount: r.number('AzureFunctionsJobHost__extensions__queues__maxDequeueCount', 5, 1, 100),
    tables: {
      leads: table('Leads'),
      leadKeys: table('LeadKeys'),
      events: table('LeadEvents'),
      followUps: table('FollowUps'),
      rejected: table('RejectedLeads'),
      locks: table('Locks'),
      poisoned: table('PoisonedLeads'),
    },
    followUpHours,
    escalateAfterHours,
    reminderSchedule,
    reminderRoutes,
    defaultRecipients,
    escalationEmail,
    contactLink: { secret, previousSecret, ttlDays },
    publicBaseUrl: readPublicBaseUrl(r, env),
    mail: readMail(r),
    appInsightsConnectionString: r.raw('APPLICATIONINSIGHTS_CONNECTION_STRING'),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

let cached: AppConfig | undefined;

/** The process-wide configuration, validated on first use (module load of the first function). */
export function appConfig(): AppConfig {
  cached ??= loadConfig(process.env);
  return cached;
}
