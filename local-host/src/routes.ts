/**
 * Route templates as the Functions host understands them (`leads/{id}`, `leads/{id?}`, `files/{*path}`,
 * `items/{id:int}`), with ASP.NET's precedence: at each segment a literal beats a parameter, so
 * `leads/export.csv` wins over `leads/{id}` whatever the registration order.
 */
export interface RouteSegment {
  literal?: string;
  param?: string;
  accepts?: (value: string) => boolean;
  optional?: boolean;
  catchAll?: boolean;
}

export interface CompiledRoute {
  template: string;
  segments: RouteSegment[];
}

export function compileRoute(template: string): CompiledRoute {
  const segments = template
    .split('/')
    .filter((s) => s !== '')
    .map((s): RouteSegment => {
      const m = /^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::([^}?]*))?(\??)\}$/.exec(s);
      if (!m) return { literal: s.toLowerCase() };
      return {
        param: m[2],
        catchAll: m[1] === '*',
        optional: m[4] === '?' || m[1] === '*',
        accepts: m[3] ? constraint(m[3], template) : undefined,
      };
    });
  return { template, segments };
}

/** The ASP.NET route constraints this app's routes use; any other fails at start rather than matching loosely. */
function constraint(text: string, template: string): (value: string) => boolean {
  const length = /^length\((\d+)(?:,(\d+))?\)$/.exec(text);
  if (length) {
    const min = Number(length[1]);
    const max = Number(length[2] ?? length[1]);
    return (v) => v.length >= min && v.length <= max;
  }
  if (text === 'int') return (v) => /^-?\d+$/.test(v);
  if (text === 'alpha') return (v) => /^[A-Za-z]+$/.test(v);
  throw new Error(`Route "${template}": constraint "${text}" is not supported by the local host`);
}

export function matchRoute(route: CompiledRoute, pathSegments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const seg = route.segments[i]!;
    const part = pathSegments[i];
    if (seg.catchAll) {
      const rest = pathSegments.slice(i);
      if (rest.length > 0) params[seg.param!] = rest.map(decodeURIComponent).join('/');
      return params;
    }
    if (part === undefined) {
      if (seg.optional) continue;
      return undefined;
    }
    if (seg.literal !== undefined) {
      if (decodeURIComponent(part).toLowerCase() !== seg.literal) return undefined;
    } else {
      const value = decodeURIComponent(part);
      if (seg.accepts && !seg.accepts(value)) return undefined;
      params[seg.param!] = value;
    }
  }
  return pathSegments.length <= route.segments.length ? params : undefined;
}

/** Negative when `a` should be tried before `b`. */
export function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const rank = (s: RouteSegment | undefined): number =>
      s === undefined ? 3 : s.literal !== undefined ? 0 : s.catchAll ? 2 : 1;
    const diff = rank(a.segments[i]) - rank(b.segments[i]);
    if (diff !== 0) return diff;
  }
  return 0;
}
