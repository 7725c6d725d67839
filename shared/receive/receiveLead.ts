/**
 * Accepting a lead: validate, wrap in an envelope, put it on the queue, and only then acknowledge. Nothing is
 * acknowledged that is not durably queued, so Microsoft (or any retrying sender) never loses a lead to us.
 */
import { type ErrorBody, errorOf, type ProblemBody } from '../http/responses';
import { type ArrivalFacts, createEnvelope, encodeEnvelope, requestMetadata } from '../queue/envelope';
import { BODY_FIELD, validateLeadBody } from './validateLeadBody';

export interface ReceiveDeps {
  enqueue: (message: string) => Promise<void>;
  now: () => Date;
  newId: () => string;
  /** Key for hashing the caller's address; without one the address is left out, never the lead. */
  clientIpSecret: string | undefined;
}

export type ReceiveOutcome =
  | { status: 202; body: { id: string }; recognised: boolean; test: boolean }
  | { status: 400 | 413; body: ProblemBody }
  | { status: 503; body: ErrorBody; retryAfterSeconds: number; cause: string };

// A queue message holds 64 KiB; the envelope is what must fit, after base64.
const MAX_MESSAGE_BYTES = 64 * 1024;
export const RETRY_AFTER_SECONDS = 30;

export async function receiveLead(body: Uint8Array, facts: ArrivalFacts, deps: ReceiveDeps): Promise<ReceiveOutcome> {
  const validated = validateLeadBody(body);
  if (!validated.ok) {
    const code = validated.status === 413 ? 'too_large' : 'invalid_request';
    return { status: validated.status, body: errorOf(code, validated.problems) };
  }
  const envelope = createEnvelope(
    deps.newId(),
    deps.now(),
    validated.text,
    requestMetadata(facts, deps.clientIpSecret),
  );
  const message = encodeEnvelope(envelope);
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
    const problem = {
      field: BODY_FIELD,
      rule: 'maxBytes',
      message: 'The lead does not fit in a queue message once escaped; real leads are far smaller',
    };
    return { status: 413, body: errorOf('too_large', [problem]) };
  }
  try {
    await deps.enqueue(message);
  } catch (e) {
    return {
      status: 503,
      body: {
        error: 'storage_unavailable',
        message: 'The lead could not be stored; it was not accepted. Retry later.',
      },
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      cause: e instanceof Error ? e.message : String(e),
    };
  }
  const test = /MSFT_TEST/i.test(validated.text);
  return { status: 202, body: { id: envelope.id }, recognised: validated.lead.recognised, test };
}
