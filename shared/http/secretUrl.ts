/**
 * Webhook URLs that are their own credential: a Workflows or Logic Apps trigger URL carries a `sig` parameter that
 * lets anyone who has it post. Such a URL never goes into a log, an error or telemetry; messages name the kind of
 * host instead (hostClass), and any text that may echo the URL (a peer's error body) is passed through redactUrl.
 */

const CLASSES: readonly [suffix: string, name: string][] = [
  ['.logic.azure.com', 'Power Automate / Logic Apps (logic.azure.com)'],
  ['.powerplatform.com', 'Power Platform (powerplatform.com)'],
  ['.powerautomate.com', 'Power Automate (powerautomate.com)'],
  ['.webhook.office.com', 'Office 365 connector (webhook.office.com, retired by Microsoft)'],
];

/** "Power Automate / Logic Apps (logic.azure.com)", "loopback", "an HTTPS host": never the host or path itself. */
export function hostClass(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'a malformed URL';
  }
  const host = parsed.hostname.toLowerCase();
  for (const [suffix, name] of CLASSES) if (host.endsWith(suffix)) return name;
  if (host === 'localhost' || host === '127.0.0.1' || host === '[::1]') return 'loopback';
  return parsed.protocol === 'https:' ? 'an HTTPS host' : `an ${parsed.protocol.replace(':', '').toUpperCase()} host`;
}

/** Pieces of a URL long enough to be worth hiding: the whole, path + query, query, each long parameter value. */
function secretParts(url: string): string[] {
  const parts = new Set<string>([url]);
  try {
    const parsed = new URL(url);
    parts.add(parsed.href);
    parts.add(`${parsed.host}${parsed.pathname}${parsed.search}`);
    if (parsed.search.length > 1) parts.add(parsed.search.slice(1));
    if (parsed.pathname.length > 1) parts.add(`${parsed.pathname}${parsed.search}`);
    for (const value of parsed.searchParams.values()) if (value.length >= 8) parts.add(value);
  } catch {
    // Not a URL: only the text as given is hidden.
  }
  const encoded = [...parts].flatMap((p) => [p, encodeURIComponent(p)]);
  // Longest first, so a whole URL is replaced before the pieces inside it.
  return [...new Set(encoded)].filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
}

/** The text with every trace of the secret URL replaced by `[label]`. */
export function redactUrl(text: string, url: string, label = 'webhook URL'): string {
  let out = text;
  for (const part of secretParts(url)) out = out.split(part).join(`[${label}]`);
  return out;
}
