/**
 * `npm run smoke -- <base url> [key] [--timeout <seconds>]`: after a deployment, follows one lead all the way. It
 * posts a lead marked as a test (Microsoft's MSFT_TEST marker, as Partner Center's Validate sends: stored flagged
 * as a test, never reminded), waits until the lead API lists it, prints how long that took, and erases it.
 *
 * The key goes in the `x-functions-key` header, never in a URL, and is never printed. Erasure is admin-only, so in
 * Azure the key is the app's master key (docs/deploy.md); the local host checks no key.
 */
import { randomInt } from 'node:crypto';

const REQUEST_TIMEOUT_MS = 30_000;
const POLL_MS = 1_000;

export interface SmokeOptions {
  baseUrl: string;
  key?: string;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface SmokeReport {
  leadId: string;
  /** From the POST to the first listing that showed the lead. */
  listedAfterMs: number;
}

export class SmokeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmokeError';
  }
}

/** The app's base URL from itself, its `/api` route prefix or its lead URL (`LEAD_URL`, ending `/api/leads`). */
export function appBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SmokeError(
      `"${text}" is not a URL: expected the app's base URL, e.g. https://func-abc.azurewebsites.net`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SmokeError(`"${text}" is not an http(s) URL`);
  if (url.search !== '') throw new SmokeError('Give the key as the second argument, not in the URL');
  return url
    .toString()
    .replace(/\/+$/, '')
    .replace(/\/api(\/leads)?$/, '');
}

/** A lead as Partner Center's Validate sends it, with a marker of its own so it can be found and nothing else. */
export function smokeLead(marker: string): { body: string; email: string } {
  const email = `${marker}@test.com`.toLowerCase();
  const body = {
    UserDetails: {
      FirstName: marker,
      LastName: marker,
      Email: email,
      Phone: '',
      Country: 'US',
      Company: marker,
      Title: '',
    },
    LeadSource: `${marker}-${marker}|smoke-test`,
    ActionCode: 'INS',
    OfferTitle: 'Smoke test',
    Description: 'Posted by npm run smoke; erased once the API lists it.',
  };
  return { body: JSON.stringify(body), email };
}

async function call(
  options: SmokeOptions,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (options.key) headers['x-functions-key'] = options.key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${options.baseUrl}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    const cause = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw new SmokeError(`${method} ${options.baseUrl}${path.split('?')[0] ?? ''} got no answer: ${cause}`);
  }
  return { status: res.status, text: await res.text() };
}

function refused(what: string, answer: { status: number; text: string }): SmokeError {
  const hint =
    answer.status === 401 || answer.status === 403
      ? ' (is the key right? Erasure needs the master key)'
      : answer.status === 404
        ? ' (is this the app’s base URL, and is the app deployed?)'
        : '';
  return new SmokeError(`${what} answered ${answer.status}${hint}: ${answer.text.slice(0, 300)}`);
}

export async function smoke(options: SmokeOptions): Promise<SmokeReport> {
  const marker = `MSFT_TEST_${Date.now()}${String(randomInt(1_000_000)).padStart(6, '0')}`;
  const { body, email } = smokeLead(marker);
  const started = Date.now();
  const posted = await call(options, 'POST', '/api/leads', body);
  if (posted.status !== 202) throw refused('POST /api/leads', posted);
  options.log(`Posted test lead ${marker} to ${options.baseUrl}/api/leads: 202 after ${Date.now() - started} ms`);

  const query = `/api/leads?includeTest=true&q=${encodeURIComponent(email)}`;
  let leadId: string | undefined;
  while (leadId === undefined) {
    const listed = await call(options, 'GET', query);
    if (listed.status !== 200) throw refused('GET /api/leads', listed);
    const items = (JSON.parse(listed.text) as { items: Array<{ leadId: string; email?: string }> }).items;
    leadId = items.find((l) => l.email === email)?.leadId;
    if (leadId !== undefined) break;
    if (Date.now() - started > options.timeoutMs) {
      const health = await call(options, 'GET', '/api/health').catch(() => undefined);
      throw new SmokeError(
        `The lead was accepted but not listed within ${Math.round(options.timeoutMs / 1000)} s: processing is not keeping up or failing (look at processLead's logs and the poison queue)${health ? `; GET /api/health answered ${health.status}: ${health.text.slice(0, 500)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const listedAfterMs = Date.now() - started;
  options.log(`Listed by the API as lead ${leadId} ${(listedAfterMs / 1000).toFixed(1)} s after it was posted`);

  const erased = await call(options, 'DELETE', `/api/leads/${leadId}`);
  if (erased.status !== 200) throw refused(`DELETE /api/leads/${leadId}`, erased);
  options.log(`Erased lead ${leadId}`);
  return { leadId, listedAfterMs };
}

function parseArguments(argv: string[]): { baseUrl: string; key?: string; timeoutMs: number } {
  const args = [...argv];
  let timeoutMs = 120_000;
  const at = args.indexOf('--timeout');
  if (at >= 0) {
    const seconds = Number(args[at + 1]);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new SmokeError('--timeout expects a number of seconds');
    timeoutMs = seconds * 1000;
    args.splice(at, 2);
  }
  const [base, key] = args;
  if (base === undefined || args.length > 2)
    throw new SmokeError('Usage: npm run smoke -- <base url> [key] [--timeout <seconds>]');
  return { baseUrl: appBaseUrl(base), key: key === '' ? undefined : key, timeoutMs };
}

if (require.main === module) {
  const log = (line: string): void => console.log(line);
  Promise.resolve()
    .then(() => smoke({ ...parseArguments(process.argv.slice(2)), log }))
    .then(
      (report) => {
        log(
          `Smoke test passed: a lead reached the API ${(report.listedAfterMs / 1000).toFixed(1)} s after it was posted`,
        );
        process.exit(0);
      },
      (e: unknown) => {
        console.error(`Smoke test failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
}
