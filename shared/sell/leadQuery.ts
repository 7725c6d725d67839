/**
 * The query string of `GET /api/leads` and `GET /api/leads/export.csv`, parsed and validated in one place so the
 * list and the export can never disagree about what a filter means. Unknown parameters are refused: a typo such
 * as `stauts=new` would otherwise silently return every lead.
 */
import { bad, type FieldProblem, ok, type Parsed } from '../http/problems';
import type { LeadSourceKind } from '../marketplace/leadSource';
import type { Stage } from '../marketplace/stage';
import type { LeadStatus } from '../record/model';
import { DAY_MS } from '../time';
import { decodeContinuation, type Position } from './continuation';
import { SOURCES, STAGES, STATUSES } from './values';

export interface LeadFilters {
  statuses?: readonly LeadStatus[];
  stages?: readonly Stage[];
  sources?: readonly LeadSourceKind[];
  /** Lower-cased; matches the offer key, `publisher.offer` id or the title. */
  offer?: string;
  /** First seen at or after (inclusive). */
  since?: Date;
  /** First seen at or before (inclusive; a date alone means the end of that UTC day). */
  until?: Date;
  q?: string;
  includeTest: boolean;
  /** The owner's address (any case): the dashboard's "mine". */
  owner?: string;
}

export interface ListQuery {
  filters: LeadFilters;
  limit: number;
  start?: Position;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
const MAX_TEXT = 200;

/** The part of URLSearchParams the parser reads (HttpRequest.query is one). */
export interface QueryParams {
  getAll(name: string): string[];
  keys(): Iterable<string>;
}

// `code` carries the function key on every call; it is the host's business, not a filter.
const ALWAYS_ALLOWED = ['code'];
export const FILTER_PARAMETERS = [
  'status',
  'stage',
  'offer',
  'source',
  'since',
  'until',
  'q',
  'includeTest',
  'owner',
] as const;
export const LIST_PARAMETERS = [...FILTER_PARAMETERS, 'limit', 'continuation'] as const;

export function unknownParameter(query: QueryParams, allowed: readonly string[]): FieldProblem | undefined {
  for (const name of query.keys()) {
    if (!allowed.includes(name) && !ALWAYS_ALLOWED.includes(name)) {
      // `?=new` has a value but no name: say so, since the name the answer carries is empty.
      const message =
        name === ''
          ? 'a parameter with no name ("?=value") is not a parameter of this endpoint'
          : 'is not a parameter of this endpoint';
      return { field: name, rule: 'unknown', message: name === '' ? message : `${name} ${message}`, allowed };
    }
  }
  return undefined;
}

/** The value of a parameter given once or repeated (`status=new&status=contacted` = `status=new,contacted`). */
function text(query: QueryParams, name: string): string | undefined {
  const values = query
    .getAll(name)
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return values.length === 0 ? undefined : values.join(',');
}

/** A comma-separated list of values from a closed set, matched case-insensitively and returned in canonical form. */
function oneOf<T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
): Parsed<T[] | undefined> {
  if (raw === undefined) return ok(undefined);
  const out: T[] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const match = allowed.find((a) => a.toLowerCase() === part.toLowerCase());
    if (match === undefined)
      return bad(name, 'enum', `has "${part.slice(0, 50)}", which is not one of the allowed values`, allowed);
    if (!out.includes(match)) out.push(match);
  }
  return ok(out);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** ISO 8601 with an explicit zone, or a plain date (a UTC day). `endOfDay` makes a plain date cover its whole day. */
function date(name: string, raw: string | undefined, endOfDay: boolean): Parsed<Date | undefined> {
  if (raw === undefined) return ok(undefined);
  const expected =
    'is not a date: expected YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2025-03-01T09:00:00Z';
  if (DATE_ONLY.test(raw)) {
    const start = Date.parse(`${raw}T00:00:00Z`);
    // Date.parse rolls 2025-02-30 over to March; a round trip catches it.
    if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== raw) return bad(name, 'format', expected);
    return ok(new Date(endOfDay ? start + DAY_MS - 1 : start));
  }
  if (!DATE_TIME.test(raw)) return bad(name, 'format', expected);
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? bad(name, 'format', expected) : ok(new Date(ms));
}

function bool(name: string, raw: string | undefined, fallback: boolean): Parsed<boolean> {
  if (raw === undefined) return ok(fallback);
  const value = raw.toLowerCase();
  if (value === 'true' || value === '1') return ok(true);
  if (value === 'false' || value === '0') return ok(false);
  return bad(name, 'enum', `is "${raw.slice(0, 50)}"`, ['true', 'false']);
}

function freeText(name: string, raw: string | undefined): Parsed<string | undefined> {
  if (raw === undefined) return ok(undefined);
  if (raw.length > MAX_TEXT) return bad(name, 'maxLength', `is longer than ${MAX_TEXT} characters`);
  return ok(raw);
}

export function parseFilters(query: QueryParams): Parsed<LeadFilters> {
  const statuses = oneOf('status', text(query, 'status'), STATUSES);
  if (!statuses.ok) return statuses;
  const stages = oneOf('stage', text(query, 'stage'), STAGES);
  if (!stages.ok) return stages;
  const sources = oneOf('source', text(query, 'source'), SOURCES);
  if (!sources.ok) return sources;
  const offer = freeText('offer', query.getAll('offer')[0]?.trim() || undefined);
  if (!offer.ok) return offer;
  const q = freeText('q', query.getAll('q')[0]?.trim() || undefined);
  if (!q.ok) return q;
  const since = date('since', text(query, 'since'), false);
  if (!since.ok) return since;
  const until = date('until', text(query, 'until'), true);
  if (!until.ok) return until;
  if (since.value && until.value && since.value > until.value) return bad('until', 'range', 'is earlier than since');
  const includeTest = bool('includeTest', text(query, 'includeTest'), false);
  if (!includeTest.ok) return includeTest;
  const owner = freeText('owner', query.getAll('owner')[0]?.trim() || undefined);
  if (!owner.ok) return owner;

  const filters: LeadFilters = { includeTest: includeTest.value };
  if (statuses.value) filters.statuses = statuses.value;
  if (stages.value) filters.stages = stages.value;
  if (sources.value) filters.sources = sources.value;
  if (offer.value) filters.offer = offer.value.toLowerCase();
  if (q.value) filters.q = q.value;
  if (since.value) filters.since = since.value;
  if (until.value) filters.until = until.value;
  if (owner.value) filters.owner = owner.value;
  return ok(filters);
}

export function parseListQuery(query: QueryParams): Parsed<ListQuery> {
  const unknown = unknownParameter(query, LIST_PARAMETERS);
  if (unknown) return { ok: false, problem: unknown };
  const filters = parseFilters(query);
  if (!filters.ok) return filters;

  let limit = DEFAULT_LIMIT;
  const limitText = text(query, 'limit');
  if (limitText !== undefined) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT))
      return bad('limit', 'range', `is "${limitText.slice(0, 20)}": expected a whole number from 1 to ${MAX_LIMIT}`);
  }
  const token = text(query, 'continuation');
  if (token === undefined) return ok({ filters: filters.value, limit });
  const start = decodeContinuation(token);
  if (!start.ok) return start;
  return ok({ filters: filters.value, limit, start: start.value });
}

export function parseExportQuery(query: QueryParams): Parsed<LeadFilters> {
  const unknown = unknownParameter(query, FILTER_PARAMETERS);
  if (unknown) return { ok: false, problem: unknown };
  return parseFilters(query);
}
