/**
 * Alerts: leads POSTed through the local host at 10 per second for 30 s (each a new customer, so each alerts its
 * owner), processed, alerted and mailed to a loopback SMTP server. For each lead: the time from its 202 to the
 * SMTP server taking the first email that carries its contact link (its own alert, or the burst digest holding it:
 * more than ALERT_BURST alerts a minute for one owner fold into a digest sent 30 s after it opens). Target: p99 ≤ 60 s.
 */
import { startAzurite } from '../local-host/src/azurite';
import { startHost } from '../tests/support/hostProcess';
import { SmtpSink } from '../tests/support/smtpSink';
import { fmt, percentile } from './stats';

const RATE_PER_SECOND = 10;
const SECONDS = 30;
const SELLERS = ['ana', 'ben', 'cy', 'dee', 'eli'].map((n) => `${n}@sales.example`);
const TARGET_P99_MS = 60_000;
// After the last 202, how long to wait for the stragglers before calling them missing.
const DRAIN_MS = 120_000;

function leadBody(i: number, run: string): string {
  return JSON.stringify({
    UserDetails: {
      FirstName: `Bench${i}`,
      LastName: 'Alert',
      Email: `bench${i}.${run}@company${i}.example`,
      Phone: '',
      Country: 'US',
      Company: `Company ${i}`,
      Title: '',
    },
    LeadSource: 'AzureMarketplace-PLT|contoso.bench',
    OfferTitle: 'Bench',
    Description: '',
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function main(): Promise<void> {
  const [azurite, smtp] = await Promise.all([startAzurite(), SmtpSink.start()]);
  const host = await startHost({
    AzureWebJobsStorage: azurite.connectionString,
    MAIL_TRANSPORT: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_SECURE: 'false',
    REMINDER_RECIPIENTS: SELLERS.join(','),
    REMINDER_ROUTES: '{}',
  });
  const run = Date.now().toString(36);
  const accepted = new Map<string, number>();
  const failures: string[] = [];
  try {
    const total = RATE_PER_SECOND * SECONDS;
    const started = Date.now();
    const posts: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      // Paced by the clock, not by the answers: a slow answer does not slow the offered load.
      await sleep(Math.max(0, started + (i * 1000) / RATE_PER_SECOND - Date.now()));
      posts.push(
        (async () => {
          const res = await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body: leadBody(i, run) });
          const at = Date.now();
          if (res.status !== 202) {
            failures.push(`lead ${i}: HTTP ${res.status}`);
            return;
          }
          const { id } = (await res.json()) as { id: string };
          accepted.set(id, at);
        })(),
      );
    }
    await Promise.all(posts);
    const offeredSeconds = (Date.now() - started) / 1000;

    // The alert names the record's id, which for a customer's first lead is its envelope's (the 202's) id.
    const alertedAt = new Map<string, number>();
    const deadline = Date.now() + DRAIN_MS;
    let seen = 0;
    while (alertedAt.size < accepted.size && Date.now() < deadline) {
      for (; seen < smtp.received.length; seen++) {
        const text = smtp.received[seen]?.text ?? '';
        const at = smtp.receivedAt[seen] ?? Date.now();
        for (const match of text.matchAll(/\/api\/leads\/([0-9A-Z]{26})\/contact/g)) {
          const id = match[1] ?? '';
          if (accepted.has(id) && !alertedAt.has(id)) alertedAt.set(id, at);
        }
      }
      await sleep(200);
    }
    const latencies = [...alertedAt].map(([id, at]) => at - (accepted.get(id) ?? at)).sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `offered ${accepted.size + failures.length} leads in ${offeredSeconds.toFixed(1)} s (${RATE_PER_SECOND}/s), ` +
        `${accepted.size} accepted, ${alertedAt.size} alerted, ${smtp.received.length} emails ` +
        `(${SELLERS.length} owners, ALERT_BURST 5: the rest of each owner's minute goes in digests)`,
    );
    if (failures.length > 0) console.log(`not accepted: ${failures.slice(0, 5).join('; ')}`);
    console.log(
      `202 → alert handed to SMTP: p50 ${fmt(p50 / 1000)} s, p99 ${fmt(p99 / 1000)} s, max ${fmt((latencies.at(-1) ?? NaN) / 1000)} s`,
    );
    const missing = accepted.size - alertedAt.size;
    const ok = missing === 0 && p99 <= TARGET_P99_MS;
    console.log(
      `target p99 ≤ ${TARGET_P99_MS / 1000} s: ${ok ? 'met' : 'NOT met'}` +
        (missing > 0 ? ` (${missing} lead(s) without an alert after ${DRAIN_MS / 1000} s)` : ''),
    );
  } finally {
    await host.stop();
    await smtp.stop();
    await azurite.stop();
  }
}
