import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { systemClock } from '../shared/clock';
import { appConfig } from '../shared/config';
import { handleContactLink } from '../shared/followUp/contactLink';
import { guarded } from '../shared/http/guarded';
import { newUlid } from '../shared/ids';
import { createRecordStore } from '../shared/record/recordStore';

const config = appConfig();
const store = createRecordStore(config);

// The form posts one short field; anything longer is not ours.
const MAX_FORM_BYTES = 4096;

async function formToken(request: HttpRequest): Promise<string | undefined> {
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded'))
    return undefined;
  const text = await request.text();
  if (text.length > MAX_FORM_BYTES) return undefined;
  return new URLSearchParams(text).get('token') ?? undefined;
}

export async function contactLeadHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, () => contact(request, context));
}

async function contact(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const method = request.method === 'POST' ? 'POST' : 'GET';
  const token = request.query.get('token') ?? (method === 'POST' ? await formToken(request) : undefined);
  const url = new URL(request.url);
  return handleContactLink(
    { method, leadId: request.params.id ?? '', token, formAction: `${url.pathname}${url.search}` },
    {
      store,
      clock: systemClock,
      newId: newUlid,
      policy: config,
      secrets: { secret: config.contactLink.secret, previousSecret: config.contactLink.previousSecret },
      log: (line) => context.log(line),
    },
  );
}

// Anonymous on purpose: the link is opened from a mailbox, and the signed token is the credential.
app.http('contactLead', {
  route: 'leads/{id}/contact',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: contactLeadHandler,
});
