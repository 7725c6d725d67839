import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, contactLinkSettings, policyOrDefault, prepare } from '../../shared/config';
import { handleContactLink } from '../../shared/followUp/contactLink';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { readBodyUpTo } from '../../shared/http/readBodyUpTo';
import { tooLarge } from '../../shared/http/responses';
import { newUlid } from '../../shared/ids';
import { changeHandOffFrom } from '../../shared/queue/changeHandOffQueue';
import { createRecordStore } from '../../shared/record/recordStore';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(contactLinkSettings, (config) => ({
  store: createRecordStore(config),
  secrets: config.contactLink,
  policy: policyOrDefault(appSettings()).policy,
  ...changeHandOffFrom(appSettings(), config.storageConnection, systemClock, STORAGE_DEADLINES.request),
}));

// The forms post the token, and after the click how it went: a note of 1,000 characters, URL-encoded, fits.
const MAX_FORM_BYTES = 16 * 1024;

/** The posted form; reads at most the limit, so a huge anonymous post is never held in memory. */
async function readForm(request: HttpRequest): Promise<{ form?: URLSearchParams; tooLarge?: true }> {
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded'))
    return {};
  const body = await readBodyUpTo(request.body, MAX_FORM_BYTES);
  if (body.truncated) return { tooLarge: true };
  return { form: new URLSearchParams(Buffer.from(body.bytes).toString('utf8')) };
}

export async function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, () => contact(request, context));
}

async function contact(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  const deps = ready();
  if (!deps.ok) return misconfigured(context, deps.problems);
  const method = request.method === 'POST' ? 'POST' : 'GET';
  const posted = method === 'POST' ? await readForm(request) : {};
  if (posted.tooLarge) return tooLarge(MAX_FORM_BYTES);
  const token = request.query.get('token') ?? posted.form?.get('token') ?? undefined;
  const url = new URL(request.url);
  return handleContactLink(
    {
      method,
      leadId: request.params.id ?? '',
      token,
      formAction: `${url.pathname}${url.search}`,
      ...(posted.form === undefined ? {} : { form: posted.form }),
    },
    {
      ...deps.value,
      clock: systemClock,
      newId: newUlid,
      log: (line) => context.log(line),
    },
  );
}
