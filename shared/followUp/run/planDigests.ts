/** Phase 2 of a reminder run (pure): one digest per recipient and kind, without whoever already has a lead. */
import type { FollowUpKind } from '../../record/keys';
import { groupByRecipient } from '../routing';
import type { ReminderSettings } from '../runReminders';
import { addressList, hasAddress } from './addresses';
import type { Candidate } from './candidate';

export interface DigestPlan {
  kind: FollowUpKind;
  recipient: string;
  items: Candidate[];
}

export function planDigests(candidates: readonly Candidate[], config: ReminderSettings): DigestPlan[] {
  const groups: [FollowUpKind, Map<string, Candidate[]>][] = [
    // A nurture touch goes in the same digest as the first reminders: one email per salesperson and run.
    [
      'remind',
      // Each candidate names its recipients (collectDue: the owner, else the route's); nurture touches go with them.
      groupByOwnRecipients(candidates.filter((c) => c.entry.kind === 'remind' || c.entry.kind === 'nurture')),
    ],
    // Escalations ignore offer routes: every one goes to the escalation address(es).
    [
      'escalate',
      groupByRecipient(
        candidates.filter((c) => c.entry.kind === 'escalate'),
        new Map(),
        addressList(config.escalationEmail),
      ),
    ],
  ];
  const digests: DigestPlan[] = [];
  for (const [kind, byRecipient] of groups) {
    for (const [recipient, items] of byRecipient) {
      // A recipient already in an entry's sentTo got it from an earlier, interrupted run.
      const pending = items.filter((c) => !hasAddress(c.entry.sentTo, recipient));
      if (pending.length > 0) digests.push({ kind, recipient, items: pending });
    }
  }
  return digests;
}

/** One group per address (first spelling wins, case-insensitive), in the candidates' order. */
function groupByOwnRecipients(candidates: readonly Candidate[]): Map<string, Candidate[]> {
  const byKey = new Map<string, { address: string; items: Candidate[] }>();
  for (const c of candidates) {
    for (const raw of c.recipients) {
      const address = raw.trim();
      const group = byKey.get(address.toLowerCase());
      if (group === undefined) byKey.set(address.toLowerCase(), { address, items: [c] });
      else if (!group.items.includes(c)) group.items.push(c);
    }
  }
  return new Map([...byKey.values()].map((g) => [g.address, g.items]));
}
