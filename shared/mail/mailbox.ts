/**
 * The sender as the mail APIs want it: Graph sends as a mailbox named by its address in the URL, and
 * Communication Services takes a bare sender address; MAIL_FROM may carry a display name ("Leads <leads@x.com>").
 */
export interface Mailbox {
  address: string;
  name?: string;
}

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/** `leads@contoso.com`, `Leads <leads@contoso.com>` or `"Leads, EMEA" <leads@contoso.com>`; undefined otherwise. */
export function parseMailbox(text: string): Mailbox | undefined {
  const trimmed = text.trim();
  if (ADDRESS.test(trimmed)) return { address: trimmed };
  const match = /^(.*?)\s*<([^<>]+)>$/.exec(trimmed);
  if (match === null) return undefined;
  const address = (match[2] ?? '').trim();
  if (!ADDRESS.test(address)) return undefined;
  const name = (match[1] ?? '')
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();
  if (/[<>]/.test(name)) return undefined;
  return name === '' ? { address } : { address, name };
}
