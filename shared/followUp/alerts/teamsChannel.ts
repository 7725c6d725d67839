/**
 * The alerts' Teams channel as deliverAlert uses it: none when TEAMS_WEBHOOK_URL is not set; while its settings are
 * wrong (an unresolved Key Vault reference, say), a channel that fails naming them, never their values. deliverAlert
 * tries every channel and marks each success, so the email still goes out at once and only the card waits: the
 * message is retried, kept once poisoned, and `npm run replay-poison` after the fix sends the card alone.
 */
import { type Checked, settingNames, type TeamsChannelSettings } from '../../config';
import type { AdaptiveCard } from './teamsCard';
import { sendTeamsCard, type TeamsSendDeps, type TeamsSendResult } from './teamsSender';

export type TeamsChannel = (card: AdaptiveCard) => Promise<TeamsSendResult>;

export function teamsChannel(settings: Checked<TeamsChannelSettings>, deps: TeamsSendDeps): TeamsChannel | undefined {
  if (!settings.ok) {
    const message = `the Teams settings are wrong (${settingNames(settings.problems).join(', ')}); the card is sent after the fix`;
    return () => Promise.resolve({ ok: false, retry: true, message });
  }
  const { teams } = settings.value;
  return teams === undefined ? undefined : (card) => sendTeamsCard(teams, card, deps);
}
