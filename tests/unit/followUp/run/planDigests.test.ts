import type { Candidate } from '../../../../shared/followUp/run/candidate';
import { planDigests } from '../../../../shared/followUp/run/planDigests';
import type { ReminderSettings } from '../../../../shared/followUp/runReminders';
import { newUlid } from '../../../../shared/ids';
import { projectLead } from '../../../../shared/record/projection';
import { arrival } from '../../../support/events';

const config = {
  reminderRoutes: new Map<string, string[]>(),
  defaultRecipients: ['ana@sales.example', 'ben@sales.example'],
  escalationEmail: 'boss@sales.example',
} as unknown as ReminderSettings;

function candidate(kind: 'remind' | 'escalate', recipients: string[]): Candidate {
  const leadId = newUlid();
  const record = projectLead({ leadId, offerKey: 'contoso.widgets', identityKind: 'email' }, [
    arrival(leadId, '2024-05-03T12:00:00Z'),
  ]);
  if (record === undefined) throw new Error('no record');
  return { entry: { kind, leadId, dueAt: '2024-05-04T12:00:00Z', sentTo: [] }, record, recipients };
}

test('a reminder goes to the recipients its candidate names (the owner), an escalation to ESCALATION_EMAIL', () => {
  const owned = candidate('remind', ['Ben@sales.example']);
  const unowned = candidate('remind', ['ana@sales.example', 'ben@sales.example']);
  const escalated = candidate('escalate', ['Ben@sales.example']);
  const plan = planDigests([owned, unowned, escalated], config);
  expect(plan.map((d) => [d.kind, d.recipient, d.items.map((c) => c.entry.leadId)])).toEqual([
    ['remind', 'Ben@sales.example', [owned.entry.leadId, unowned.entry.leadId]],
    ['remind', 'ana@sales.example', [unowned.entry.leadId]],
    ['escalate', 'boss@sales.example', [escalated.entry.leadId]],
  ]);
});
