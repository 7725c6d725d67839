/**
 * Webhook URLs that are their own credential: a Workflows or Logic Apps trigger URL carries a `sig` parameter that
 * lets anyone who has it post. Such a URL never goes into a log, an error or telemetry; messages name the kind of
 * host instead (hostClass), and a peer's error body, which may echo the URL, is never repeated (replySummary.ts).
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
