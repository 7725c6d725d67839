/**
 * Pure properties over generated lead bodies, cheap enough for thousands of cases: what ingestion accepts is
 * queued as an envelope that processing turns into an event and a record that fit Table Storage, with every stored
 * text clean; what it refuses names a field. The same bodies go through the local host in hostInput.test.ts.
 */
import fc from 'fast-check';

import { parseEnvelope } from '../../shared/queue/envelope';
import { receiveLead } from '../../shared/receive/receiveLead';
import { toArrivalEvent } from '../../shared/record/arrivalEvent';
import { projectLead } from '../../shared/record/projection';
import { eventToEntity, recordToEntity } from '../../shared/record/recordStore';
import { entityBytes, MAX_ENTITY_BYTES, MAX_STRING_CHARS } from '../../shared/storage/tableLimits';
import { leadBody } from './arbitraries';
import { fuzzParameters, fuzzRuns, report } from './runs';

jest.setTimeout(60_000 + fuzzRuns(0) * 50);

const UNCLEAN = /[\p{Cc}\p{Cs}\u200B\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/u;
// Far under the 32K a property holds: what docs/storage.md promises for an event's JSON.
const MAX_EVENT_DATA_CHARS = 16 * 1024;

function fits(entity: Record<string, unknown>): string[] {
  const problems = Object.entries(entity)
    .filter(([, v]) => typeof v === 'string' && v.length > MAX_STRING_CHARS)
    .map(([k, v]) => `${k} has ${String(v).length} characters`);
  if (entityBytes(entity) > MAX_ENTITY_BYTES) problems.push(`entity has ${entityBytes(entity)} bytes`);
  return problems;
}

test('every accepted body becomes an event and a record that fit Table Storage; every refusal names a field', async () => {
  const counts = { accepted: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(leadBody, async (body) => {
      const queued: string[] = [];
      const outcome = await receiveLead(
        body,
        { queryKeys: [] },
        {
          enqueue: (message) => Promise.resolve(void queued.push(message)),
          now: () => new Date('2025-03-01T10:00:00Z'),
          newId: () => '01JNB4M7Q3ZZ9X8W7V6T5S4R3Q',
          clientIpSecret: 'fuzz',
        },
      );
      if (outcome.status !== 202) {
        counts.refused++;
        expect([400, 413]).toContain(outcome.status);
        if (outcome.status === 503) throw new Error('unreachable');
        expect(outcome.body.problems.length).toBeGreaterThan(0);
        for (const p of outcome.body.problems) expect(p.field).toMatch(/\S/);
        return;
      }
      counts.accepted++;
      expect(queued).toHaveLength(1);
      const envelope = parseEnvelope(Buffer.from(queued[0]!, 'base64').toString('utf8'));
      if (!envelope.ok) throw new Error(envelope.reason);
      const placed = toArrivalEvent(envelope.envelope);
      if (!placed.ok) throw new Error(placed.reason);

      const entity = eventToEntity(envelope.envelope.id, placed.event);
      expect(fits(entity)).toEqual([]);
      expect(String(entity.data).length).toBeLessThanOrEqual(MAX_EVENT_DATA_CHARS);
      const { rawBody: _raw, ...stored } = placed.event;
      for (const [field, value] of Object.entries({ ...stored, offerKey: placed.offerKey })) {
        if (typeof value !== 'string') continue;
        const lines = field === 'description' ? value.split('\n') : [value];
        expect({ field, clean: lines.every((l) => !UNCLEAN.test(l)) }).toEqual({ field, clean: true });
      }
      const identity = { leadId: placed.event.eventId, offerKey: placed.offerKey, identityKind: placed.identityKind };
      expect(fits(recordToEntity(projectLead(identity, [placed.event])!, 1))).toEqual([]);
    }),
    fuzzParameters(400),
  );
  report('lead bodies through receive → envelope → event → entities', counts);
});
