/** Comparing mail addresses the way servers report them back. */
import { domainToASCII } from 'node:url';

/** Servers report an internationalised domain in its ASCII (punycode) form: compare in that form. */
export function addressKey(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.toLowerCase();
  const domain = address.slice(at + 1);
  return `${address.slice(0, at)}@${domainToASCII(domain) || domain}`.toLowerCase();
}

export const sameAddress = (a: string, b: string): boolean => addressKey(a) === addressKey(b);

export const hasAddress = (list: readonly string[], address: string): boolean =>
  list.some((x) => sameAddress(x, address));

/** ESCALATION_EMAIL may list several addresses, separated as config.ts accepts them. */
export function addressList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
