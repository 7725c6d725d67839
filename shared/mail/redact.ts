// Server replies often echo the address they refuse ("550 <bob@contoso.com>: no such user"); so do API errors.
const ADDRESS = /[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g;

/** A peer's error text fit for a log line: addresses out, on one line. */
export function redact(text: string): string {
  return text
    .replace(ADDRESS, '[address]')
    .replace(/[\r\n]+/g, ' ')
    .trim();
}
