/**
 * Custom business telemetry (lead events and timings) sent to Application Insights.
 *
 * Why a wrapper and not the SDK directly:
 *  - Telemetry is best-effort. A broken SDK, a bad connection string or an ingestion outage must never fail a lead,
 *    so every call is wrapped and errors are swallowed (reported once via console.warn, see `reportFailure`).
 *  - Without a connection string (local runs, unit tests) the app gets a no-op and the SDK is never even loaded,
 *    which keeps cold starts and unrelated tests free of OpenTelemetry.
 *  - Personal data must never reach telemetry in clear. Callers are expected to send only ids and enums, but as
 *    defence in depth every property value is screened and anything that looks like an email address or a phone
 *    number is replaced by '[redacted]' before it leaves the process (see `redactValue`).
 *
 * SDK: `applicationinsights` 3.x, a shim over `@azure/monitor-opentelemetry`. `trackEvent` becomes an OpenTelemetry
 * log record and `trackMetric` a histogram recording; both are batched and `flush()` forces the export.
 * Metrics are pre-aggregated per export interval and per distinct property set: in customMetrics `value` is the sum
 * and `valueCount` the number of samples, so chart the average as valueSum / valueCount and keep metric properties
 * low-cardinality (offer, stage - never ids).
 */
import type { AzureMonitorOpenTelemetryOptions, TelemetryClient } from 'applicationinsights';

import { credentialFor } from './azureCredential';
import type { TelemetrySettings } from './config';

/** The properties every lead event carries. Extra keys are allowed; all values are strings. */
export interface LeadTelemetryProperties {
  offer: string;
  source: string;
  action: string;
  stage: string;
  [k: string]: string;
}

export interface Telemetry {
  /** Names in use: LeadReceived, LeadMerged, LeadRejected (README, docs/storage.md). */
  event(name: string, properties: Record<string, string>): void;
  metric(name: string, value: number, properties?: Record<string, string>): void;
  /** Forces export of everything queued so far. Never rejects. */
  flush(): Promise<void>;
}

export const REDACTED = '[redacted]';

// Any '@' is enough: over-redacting a harmless value is cheap, leaking an address is not.
const EMAIL_LIKE = /@/;
// Seven or more digits in a row once the usual phone separators (space, - . / ( )) are ignored, e.g.
// "+49 30 1234567", "(555) 123-4567", "0151.2345.6789". This deliberately also catches other long numbers.
const PHONE_LIKE = /\d(?:[\s()./-]*\d){6,}/;
// Exact-match carve-outs for values that are routinely long runs of digits but cannot be a phone number:
// a UUID (offer/plan/tenant ids often are) and an ISO-8601 date or date-time. Only whole-value matches pass, so a
// phone number cannot hide inside them.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Returns the value unchanged, or '[redacted]' if it looks like an email address (contains '@') or a phone number
 * (7+ digits, separators ignored), unless the whole value is a UUID or an ISO-8601 date/date-time.
 *
 * This is a safety net, not a licence: it cannot recognise names, postal addresses or free text, so callers must
 * still only send ids, enums and counts. Expect false positives on long numeric values (e.g. "1234567"); send
 * numbers as metrics, not as properties.
 */
export function redactValue(value: string): string {
  if (UUID.test(value) || ISO_DATE_TIME.test(value)) return value;
  return EMAIL_LIKE.test(value) || PHONE_LIKE.test(value) ? REDACTED : value;
}

/** Copies the properties with every value passed through `redactValue`. Keys are ours and are kept as they are. */
export function redactProperties(properties: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!properties) return out;
  for (const [key, value] of Object.entries(properties)) {
    // The type says string, but a JavaScript caller or a stray `undefined` must not make us throw.
    out[key] = redactValue(typeof value === 'string' ? value : String(value));
  }
  return out;
}

const noopTelemetry: Telemetry = Object.freeze({
  event: () => undefined,
  metric: () => undefined,
  flush: () => Promise.resolve(),
});

// One warning per process: a broken SDK would otherwise log on every lead and drown the real logs.
let failureReported = false;

function reportFailure(operation: string, error: unknown): void {
  if (failureReported) return;
  failureReported = true;
  // Only the error's name and a screened message: an SDK error could in theory echo what it was given.
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? redactValue(error.message) : '';
  console.warn(
    `[telemetry] Application Insights ${operation} failed (${name}${message ? `: ${message}` : ''}). ` +
      'Telemetry is best-effort, so the error was swallowed and processing continues; ' +
      'further telemetry failures in this process will not be reported.',
  );
}

type AppInsightsModule = typeof import('applicationinsights');

interface SdkState {
  connectionString: string;
  client: TelemetryClient;
  telemetry: Telemetry;
}

// The SDK is process-global: `setup()` registers the global OpenTelemetry providers and a second call is ignored
// with a warning. So it is set up at most once and the same Telemetry is handed out for the same connection string.
let sdk: SdkState | undefined;
let sdkShutDown = false;
let mismatchReported = false;

/**
 * Everything the SDK would collect on its own is switched off; we only send what we track explicitly. Reasons:
 *  - Requests, traces (console/context.log) and function exceptions are already sent by the Functions host, so the
 *    worker collecting them too would only duplicate (and double-bill) them.
 *  - HTTP and Azure SDK dependency tracking would record outgoing URLs, and Table Storage URLs carry entity keys
 *    that may be customer identifiers: a personal-data risk for little value.
 *  - Auto-collected exceptions and console/logger output can contain lead data (e.g. an address in a message).
 *  - Performance counters, standard (pre-aggregated) metrics and Live Metrics are noise here (the host provides its
 *    own) and add background timers and network calls to a short-lived worker.
 */
function buildAzureMonitorOptions(): AzureMonitorOpenTelemetryOptions {
  const off = { enabled: false };
  return {
    enableStandardMetrics: false,
    enableLiveMetrics: false,
    enablePerformanceCounters: false,
    instrumentationOptions: {
      http: off,
      azureSdk: off,
      mongoDb: off,
      mySql: off,
      postgreSql: off,
      redis: off,
      redis4: off,
      bunyan: off,
      winston: off,
      console: off,
    },
  };
}

function startSdk(connectionString: string, settings: TelemetrySettings): SdkState {
  // Loaded lazily so that a process without a connection string never pays for loading OpenTelemetry. Loading it
  // late is fine because we use no auto-instrumentation, which is what needs the SDK to be loaded first.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous on purpose: createTelemetry never awaits
  const appInsights = require('applicationinsights') as AppInsightsModule;

  // All configuration must happen before start(); changes made afterwards are ignored by the 3.x SDK.
  const configuration = appInsights.setup(connectionString);
  // With local authentication off, ingestion takes only Entra tokens. The SDK leaves
  // APPLICATIONINSIGHTS_AUTHENTICATION_STRING to the platform's agent, so the credential is set here.
  if (settings.appInsightsCredential !== undefined) {
    appInsights.defaultClient.config.aadTokenCredential = credentialFor(settings.appInsightsCredential);
  }
  configuration
    .setAutoCollectRequests(false)
    .setAutoCollectDependencies(false)
    .setAutoCollectExceptions(false)
    .setAutoCollectConsole(false, false)
    .setAutoCollectPerformance(false, false)
    .setSendLiveMetrics(false)
    // Keep the SDK's own warnings (e.g. rejected telemetry) visible, but no debug chatter.
    .setInternalLogging(false, true)
    .setAzureMonitorOptions(buildAzureMonitorOptions())
    .start();

  const client = appInsights.defaultClient;

  const telemetry: Telemetry = {
    event(name, properties) {
      if (sdkShutDown) return;
      try {
        client.trackEvent({ name, properties: redactProperties(properties) });
      } catch (error) {
        reportFailure('trackEvent', error);
      }
    },
    metric(name, value, properties) {
      if (sdkShutDown) return;
      try {
        client.trackMetric({ name, value, properties: redactProperties(properties) });
      } catch (error) {
        reportFailure('trackMetric', error);
      }
    },
    async flush() {
      if (sdkShutDown) return;
      try {
        await client.flush();
      } catch (error) {
        reportFailure('flush', error);
      }
    },
  };
  return { connectionString, client, telemetry };
}

/**
 * Returns the telemetry for these settings: the real SDK if there is a connection string, a no-op otherwise
 * (undefined or blank). Events are sent as `appInsightsCredential` when it is set (Entra authentication), else with
 * the connection string's key. Never throws. Calling it again with the same connection string returns the same
 * instance.
 *
 * Only one Application Insights resource per process is supported (the SDK's default client is a process-wide
 * singleton); a different connection string gets a no-op and a one-time warning rather than data sent to the
 * wrong resource.
 */
export function createTelemetry(settings: TelemetrySettings): Telemetry {
  const cs = settings.appInsightsConnectionString?.trim();
  if (!cs) return noopTelemetry;

  if (sdk) {
    if (sdk.connectionString === cs) return sdk.telemetry;
    if (!mismatchReported) {
      mismatchReported = true;
      console.warn(
        '[telemetry] createTelemetry was called with a different Application Insights connection string than ' +
          'the one already in use; only one resource per process is supported, so this telemetry is discarded.',
      );
    }
    return noopTelemetry;
  }
  // The SDK's global providers cannot be registered again after shutdown.
  if (sdkShutDown) return noopTelemetry;

  try {
    sdk = startSdk(cs, settings);
    return sdk.telemetry;
  } catch (error) {
    reportFailure('setup', error);
    return noopTelemetry;
  }
}

/**
 * Flushes and shuts the SDK down (timers, exporters, global providers) so a process - or a test runner - can exit
 * promptly. Afterwards every Telemetry instance is a no-op. Never rejects; a no-op when the SDK was never started.
 */
export async function shutdownTelemetry(): Promise<void> {
  const state = sdk;
  if (!state || sdkShutDown) return;
  sdkShutDown = true;
  try {
    await state.client.flush();
    await state.client.shutdown();
  } catch (error) {
    reportFailure('shutdown', error);
  }
}
