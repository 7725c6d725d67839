import type { HttpRequest, InvocationContext } from '@azure/functions';

import { erasureSettings, prepare } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { invalidRequest, json, notFound } from '../../shared/http/responses';
import { createRecordStore } from '../../shared/record/recordStore';
import { eraseLead } from '../../shared/sell/erasure/eraseLead';
import { parseLeadId } from '../../shared/sell/leadId';
import { unknownParameter } from '../../shared/sell/leadQuery';
import { queueClient, tableClient } from '../../shared/storage/clients';

const ready = prepare(erasureSettings, (config) => ({
  store: createRecordStore(config),
  copies: {
    rejected: tableClient(config.storageConnection, config.tables.rejected),
    poisoned: tableClient(config.storageConnection, config.tables.poisoned),
    poisonQueue: queueClient(config.storageConnection, config.poisonQueueName),
    poisonPoisonQueue: queueClient(config.storageConnection, `${config.poisonQueueName}-poison`),
  },
}));

export async function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, async () => {
    const deps = ready();
    if (!deps.ok) return misconfigured(context, deps.problems);
    const id = parseLeadId(request.params.id);
    if (!id.ok) return invalidRequest([id.problem]);
    const unknown = unknownParameter(request.query, []);
    if (unknown) return invalidRequest([unknown]);
    const report = await eraseLead(deps.value, id.value);
    if (!report) return notFound(`No lead with id ${id.value}`);
    // Counts only: the log must not say whom we erased.
    const e = report.erased;
    context.log(
      `Lead ${report.leadId} ${report.result}: ${e.recordFields.length} record field(s), ${e.events} event(s), ${e.identityRows} identity row(s), ` +
        `${e.followUps} follow-up(s), ${e.rejectedMessages} rejected and ${e.poisonMessages} poison message(s)`,
    );
    return json(200, report);
  });
}
