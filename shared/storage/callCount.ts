/**
 * Counts the storage requests this process sends, per operation, through a pipeline policy on every table and queue
 * client (clients.ts). Off unless a benchmark or a test starts a count: then each request is tallied as
 * `<method> <table or queue>[ <kind>]`, which says what a code path costs in round trips (docs/storage.md budgets),
 * and the rows each table query returned.
 * Requests are counted as sent, retries included: a retry is a round trip too.
 */
import type { PipelineRequest, PipelineResponse, SendRequest } from '@azure/core-rest-pipeline';
import type { TableServiceClientOptions } from '@azure/data-tables';
import type { HttpOperationResponse, RequestPolicy, RequestPolicyFactory, WebResource } from '@azure/storage-queue';

export type CallCounts = Map<string, number>;

let active: CallCounts | undefined;
let rows: CallCounts | undefined;

/** Starts counting from zero (dropping any count under way) and returns the live tally. */
export function startCallCount(): CallCounts {
  active = new Map();
  rows = new Map();
  return active;
}

/** Stops counting and returns what was counted. */
export function stopCallCount(): CallCounts {
  const counted = active ?? new Map<string, number>();
  active = undefined;
  rows = undefined;
  return counted;
}

/**
 * The entities table queries returned since the count started, per query (`GET <table> query`): what a code path
 * reads, beside how often it asks. Read it before stopping the count.
 */
export function rowsReturned(): CallCounts {
  return new Map(rows ?? []);
}

export function totalCalls(counts: CallCounts): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}

/**
 * `GET /Leads(PartitionKey='…',RowKey='…')` is a point read, `GET /Leads()` a query, `POST /$batch` a transaction;
 * keys are left out so a tally never holds data.
 */
export function operationOf(method: string, url: string): string {
  const path = decodeURIComponent(new URL(url).pathname).split('/').filter(Boolean);
  // Path: /<account>/<resource>[/messages[/id]] for queues; /<account>/<Table>(keys) for tables.
  const resource = path[1] ?? '';
  const open = resource.indexOf('(');
  const name = open >= 0 ? resource.slice(0, open) : resource;
  const kind =
    name === '$batch'
      ? ''
      : open >= 0
        ? resource.endsWith('()')
          ? ' query'
          : ' entity'
        : path[2] === 'messages'
          ? ' messages'
          : '';
  return `${method} ${name}${kind}`;
}

function tally(method: string, url: string): void {
  if (!active) return;
  const key = operationOf(method, url);
  active.set(key, (active.get(key) ?? 0) + 1);
}

/** A query's answer is `{"value": [<entity>...]}`; only parsed while counting. */
function tallyRows(method: string, url: string, status: number, body: string | null | undefined): void {
  if (!rows) return;
  const key = operationOf(method, url);
  if (!key.endsWith(' query') || status !== 200 || !body) return;
  const parsed = JSON.parse(body) as { value?: unknown };
  const read = Array.isArray(parsed.value) ? parsed.value.length : 0;
  rows.set(key, (rows.get(key) ?? 0) + read);
}

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

async function counted(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
  tally(request.method, request.url);
  const response = await next(request);
  tallyRows(request.method, request.url, response.status, response.bodyAsText);
  return response;
}

/** For @azure/data-tables: counted per retry, so each request on the wire counts once. */
export function tableCallCountPolicy(): PipelinePolicy {
  return {
    name: 'storageCallCount',
    // Without a count under way the request passes straight on: no extra promise on every storage call.
    sendRequest: (request, next) => (active ? counted(request, next) : next(request)),
  };
}

/** For @azure/storage-queue's pipeline, which runs its factories for every try. */
export function queueCallCountFactory(): RequestPolicyFactory {
  return {
    create: (next: RequestPolicy): RequestPolicy => ({
      sendRequest: (request: WebResource): Promise<HttpOperationResponse> => {
        tally(request.method, request.url);
        return next.sendRequest(request);
      },
    }),
  };
}
