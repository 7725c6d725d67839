/**
 * The alert as a Microsoft Teams Adaptive Card, for a Workflows "When a Teams webhook request is received" flow.
 *
 * Schema 1.4: what the Teams clients and the "Post card in a chat or channel" action render everywhere (1.5 adds
 * nothing used here). Text in a TextBlock is Markdown, which customer data must never be: a company named
 * `[Pay here](https://…)` would become a link. So customer data goes only into TextRuns of a RichTextBlock, which
 * the schema defines as plain text; our own fixed words and dates stay in TextBlocks. Every value is on one line.
 *
 * Teams refuses a message much over 28 KB, so a card lists at most CARD_ACTIONS actions per customer and a digest
 * at most CARD_LEADS customers; the email always has everything.
 */
import { STAGE_LABEL } from '../../marketplace/stage';
import { actionLines, formatUtc, offerLabel, oneLine, personName, safeHttpUrl } from '../leadMail';
import { type AlertMessage, sortAlerts } from './alertMessage';

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const CARD_VERSION = '1.4';
export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const CARD_ACTIONS = 8;
export const CARD_LEADS = 10;

export interface TextBlock {
  type: 'TextBlock';
  text: string;
  wrap: true;
  weight?: 'Bolder';
  size?: 'Medium' | 'Large';
  isSubtle?: boolean;
  spacing?: 'None' | 'Small' | 'Medium';
}

export interface TextRun {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  size?: 'Medium' | 'Large';
  isSubtle?: boolean;
  color?: 'Accent' | 'Good' | 'Attention';
}

export interface RichTextBlock {
  type: 'RichTextBlock';
  inlines: TextRun[];
  spacing?: 'None' | 'Small' | 'Medium';
}

export interface OpenUrlAction {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
  style?: 'positive';
}

export interface ActionSet {
  type: 'ActionSet';
  actions: OpenUrlAction[];
}

export interface Container {
  type: 'Container';
  items: CardElement[];
  separator?: boolean;
  spacing?: 'Medium' | 'Large';
}

export type CardElement = TextBlock | RichTextBlock | ActionSet | Container;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: typeof CARD_SCHEMA;
  version: typeof CARD_VERSION;
  body: CardElement[];
  actions?: OpenUrlAction[];
  /** Teams: use the whole width of the conversation. */
  msteams: { width: 'Full' };
}

/** `message`: the envelope Teams webhooks documented and the Workflows template reads; `card`: the bare card. */
export type TeamsPayloadForm = 'message' | 'card';

export interface TeamsMessage {
  type: 'message';
  attachments: [{ contentType: typeof CARD_CONTENT_TYPE; contentUrl: null; content: AdaptiveCard }];
}

export function teamsPayload(card: AdaptiveCard, form: TeamsPayloadForm): TeamsMessage | AdaptiveCard {
  if (form === 'card') return card;
  return { type: 'message', attachments: [{ contentType: CARD_CONTENT_TYPE, contentUrl: null, content: card }] };
}

function ours(text: string, extra: Omit<TextBlock, 'type' | 'text' | 'wrap'> = {}): TextBlock {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

/** Customer data (or a caller-supplied line): plain text, never Markdown. */
function plain(text: string, run: Omit<TextRun, 'type' | 'text'> = {}): RichTextBlock {
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text, ...run }], spacing: 'None' };
}

function field(label: string, value: string): RichTextBlock {
  return {
    type: 'RichTextBlock',
    inlines: [
      { type: 'TextRun', text: `${label}: `, isSubtle: true },
      { type: 'TextRun', text: value },
    ],
    spacing: 'None',
  };
}

function headline(alert: AlertMessage): string {
  return alert.reason === 'stageRaised' && alert.previousStage !== undefined
    ? `Lead moved up: ${STAGE_LABEL[alert.previousStage]} → ${STAGE_LABEL[alert.stage]}`
    : `New lead: ${STAGE_LABEL[alert.stage]}`;
}

function contactAction(alert: AlertMessage): OpenUrlAction | undefined {
  const url = safeHttpUrl(alert.contactUrl);
  return url === undefined ? undefined : { type: 'Action.OpenUrl', title: 'Mark as contacted', url, style: 'positive' };
}

/** One customer: name, stage, account line, details, actions so far. */
function leadItems(alert: AlertMessage, recipient: string | undefined): CardElement[] {
  const items: CardElement[] = [
    ours(headline(alert), { weight: 'Bolder', size: 'Medium' }),
    plain(personName(alert.firstName, alert.lastName), { weight: 'Bolder', size: 'Large' }),
  ];
  const account = oneLine(alert.accountLine);
  if (account) items.push(plain(account, { color: 'Accent' }));
  const owner = oneLine(recipient);
  if (owner) items.push(field('For', owner));
  const details: [string, string | undefined][] = [
    ['Title', alert.title],
    ['Company', alert.company],
    ['Country', alert.country],
    ['Email', alert.email],
    ['Phone', alert.phone || alert.phoneE164],
    ['Offer', offerLabel(alert.offerTitle, alert.offerId)],
    ['Trial', alert.trial?.label],
  ];
  for (const [label, value] of details) {
    const text = oneLine(value);
    if (text) items.push(field(label, text));
  }
  items.push(ours(`Arrived ${formatUtc(alert.at)}`, { isSubtle: true, spacing: 'Small' }));
  const actions = actionLines(alert.actions);
  if (actions.length > 0) {
    items.push(ours('Actions so far', { weight: 'Bolder', spacing: 'Medium' }));
    const shown = actions.slice(-CARD_ACTIONS);
    if (shown.length < actions.length)
      items.push(ours(`${actions.length - shown.length} earlier, in the email`, { isSubtle: true }));
    for (const a of shown) items.push(plain(`${a.at}  ${a.text}`));
  }
  return items;
}

function card(body: CardElement[], actions?: OpenUrlAction[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body,
    ...(actions !== undefined && actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

/** `recipient`: the lead's owner, named on the card because a channel is read by more than them. */
export function alertCard(alert: AlertMessage, recipient?: string): AdaptiveCard {
  const action = contactAction(alert);
  return card(leadItems(alert, recipient), action === undefined ? undefined : [action]);
}

export function alertDigestCard(alerts: readonly AlertMessage[], burst: number, recipient?: string): AdaptiveCard {
  if (alerts.length === 0) throw new RangeError('alertDigestCard needs at least one alert');
  const shown = sortAlerts(alerts).slice(0, CARD_LEADS);
  const count = alerts.length;
  const body: CardElement[] = [
    ours(`${count} more marketplace ${count === 1 ? 'lead' : 'leads'}: contact them now`, {
      weight: 'Bolder',
      size: 'Large',
    }),
    ours(`More than ${burst} alerts within a minute, so the rest come together here, most valuable first.`, {
      isSubtle: true,
    }),
  ];
  const owner = oneLine(recipient);
  if (owner) body.push(field('For', owner));
  for (const alert of shown) {
    const action = contactAction(alert);
    const items = leadItems(alert, undefined);
    if (action !== undefined) items.push({ type: 'ActionSet', actions: [action] });
    body.push({ type: 'Container', items, separator: true, spacing: 'Large' });
  }
  if (shown.length < count)
    body.push(ours(`…and ${count - shown.length} more, listed in the email.`, { weight: 'Bolder' }));
  return card(body);
}
