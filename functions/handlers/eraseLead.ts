import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, erasureSettings, prepare } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { invalidRequest, json, notFound } from '../../shared/http/responses';
import { changeHandOffFrom } from '../../shared/queue/changeHandOffQueue';
import { warnIfHandOffWaits } from '../../shared/record/changeHandOff';
import { createRecordStore } from '../../shared/record/recordStore';
import { eraseLead } from '../../shared/sell/erasure/eraseLead';
import { parseLeadId } from '../../shared/sell/leadId';
import { unknownParameter } from '../../shared/sell/leadQuery';
import { queueClient, tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(erasureSettings, (config) => ({
  store: createRecordStore(config),
  copies: {
    rejected: tableClient(config.storageConnection, config.tables.rejected),
    poisoned: tableClient(config.storageConnection, config.tables.poisoned),
    poisonQueue: queueClient(config.storageConnection, config.poisonQueueName),
    poisonPoisonQueue: queueClient(config.storageConnection, `${config.poisonQueueName}-poison`),
  },
  ...changeHandOffFrom(appSettings(), config.storageConnection, systemClock, STORAGE_DEADLINES.request),
}));

export async function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, async () => {
    const deps = ready();
    if (!deps.ok) return misconfigured(context, deps.problems);
    const id = parseLeadId(request.params.id);
    if (!id.ok) return invalidRequest([id.problem]);
    const unknown = unknownParameter(request.query, []);
    if (unknown) return invalidRequest([unknown]);
    const erasure = await eraseLead(deps.value, id.value);
    if (!erasure) return notFound(`No lead with id ${id.value}`);
    const { report } = erasure;
    // Counts only: the log must not say whom we erased.
    const e = report.erased;
    context.log(
      `Lead ${report.leadId} ${report.result}: ${e.recordFields.length} record field(s), ${e.events} event(s), ${e.identityRows} identity row(s), ` +
        `${e.followUps} follow-up(s), ${e.rejectedMessages} rejected and ${e.poisonMessages} poison message(s)`,
    );
    // An erased lead has no next change: erasing it again queues the hand-off (eraseLead.ts).
    warnIfHandOffWaits((line) => context.warn(line), report.leadId, erasure, {
      of: 'erasure',
      until: 'the erasure to be run again',
    });
    return json(200, report);
  });
}
