/**
 * Parses Microsoft's `LeadSource` (+ `ActionCode`) into where the lead came from, what the customer did and
 * which offer it was for. Microsoft documents two shapes — the composite `Source-Action|Offer`
 * (`AppSource (SPZA)-PLT|fabrikamsoft.ledger-cloud`) and a bare source with the action in `ActionCode` — and
 * says test leads' format "varies", so this is deliberately tolerant: it never throws, keeps what it does not
 * recognise verbatim and reports it in `flags` instead. A throw here would turn a real lead into a poison
 * message hours after Microsoft was told it was accepted.
 */

export type LeadSourceKind = 'AzureMarketplace' | 'AzurePortal' | 'AppSource' | 'TestDrive' | 'Test' | 'Unknown';
export type LeadActionKind = 'INS' | 'PLT' | 'DNC' | 'Create' | 'StartTestDrive' | 'Trial' | 'Unknown';

export type LeadSourceFlag =
  | 'missingSource'
  | 'unknownSource'
  | 'missingAction'
  | 'unknownAction'
  | 'actionMismatch'
  | 'missingOffer'
  | 'extraPipe';

export interface ParsedLeadSource {
  source: LeadSourceKind;
  /** The source part of LeadSource, trimmed ('' if absent). The whole LeadSource stays on the CanonicalLead. */
  sourceRaw: string;
  action: LeadActionKind;
  /** The action text the `action` was taken from, trimmed ('' if none was sent). */
  actionRaw: string;
  /** From an offer part shaped `publisherid.offerid`, as sent (not lower-cased). */
  publisherId?: string;
  offerId?: string;
  /** Text after the first '|', trimmed, e.g. 'Contoso Test' or 'bitnami.openedxcypress'. */
  offerRaw?: string;
  offerTitle?: string;
  /** The MSFT_TEST marker appears in LeadSource, ActionCode or OfferTitle. */
  isTest: boolean;
  flags: LeadSourceFlag[];
}

export const TEST_MARKER = 'MSFT_TEST';

/** Keys are `matchKey` forms, so spacing, case and punctuation variants (`AppSource (SPZA)`, `spza`) all match. */
const SOURCES: ReadonlyMap<string, LeadSourceKind> = new Map<string, LeadSourceKind>([
  ['azuremarketplace', 'AzureMarketplace'],
  ['azureportal', 'AzurePortal'],
  ['appsourcespza', 'AppSource'],
  ['appsource', 'AppSource'],
  ['spza', 'AppSource'],
  ['testdrive', 'TestDrive'],
]);

const ACTIONS: ReadonlyMap<string, LeadActionKind> = new Map<string, LeadActionKind>([
  ['ins', 'INS'],
  ['plt', 'PLT'],
  ['dnc', 'DNC'],
  ['create', 'Create'],
  ['starttestdrive', 'StartTestDrive'],
  // Not documented as action codes, but "TestDrive" is a documented source and trials are a documented step.
  ['testdrive', 'StartTestDrive'],
  ['trial', 'Trial'],
  ['freetrial', 'Trial'],
]);

/** Longest raw text worth normalising for a lookup; the known names are far shorter. Keeps huge input linear. */
const MAX_NAME_LENGTH = 64;

// Unicode dashes and the full-width pipe count as separators: copy-pasted or re-encoded text produces them.
const PIPES = /[|\uFF5C]/;
const DASHES = new Set(['-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE63', '\uFF0D']);
// Partner Center caps publisher and offer ids at 50 characters; anything far longer is text, not an id.
const OFFER_ID = /^([A-Za-z0-9][A-Za-z0-9_-]{0,99})\.([A-Za-z0-9][A-Za-z0-9._-]{0,99})$/;

export function parseLeadSource(
  leadSource: string | undefined,
  actionCode: string | undefined,
  offerTitle: string | undefined,
): ParsedLeadSource {
  const flags: LeadSourceFlag[] = [];
  const text = typeof leadSource === 'string' ? leadSource : '';
  const { head, offerRaw, extraPipe } = splitOffer(text);
  if (extraPipe) flags.push('extraPipe');

  const { sourceText, actionText } = splitHead(head);
  const source = sourceKind(sourceText);
  if (sourceText === '') flags.push('missingSource');
  else if (source === 'Unknown') flags.push('unknownSource');

  const action = chooseAction(actionText, typeof actionCode === 'string' ? actionCode.trim() : '', flags);

  const parsed: ParsedLeadSource = {
    source,
    sourceRaw: sourceText,
    action: action.kind,
    actionRaw: action.raw,
    isTest: [text, actionCode, offerTitle].some(hasTestMarker),
    flags,
  };
  if (offerRaw !== undefined) {
    parsed.offerRaw = offerRaw;
    const id = OFFER_ID.exec(firstSegment(offerRaw));
    if (id?.[1] !== undefined && id[2] !== undefined) {
      parsed.publisherId = id[1];
      parsed.offerId = id[2];
    }
  }
  const title = typeof offerTitle === 'string' ? offerTitle.trim() : '';
  if (title !== '') parsed.offerTitle = title;
  if (offerRaw === undefined && title === '') flags.push('missingOffer');
  return parsed;
}

export function hasTestMarker(value: string | undefined): boolean {
  return typeof value === 'string' && value.toUpperCase().includes(TEST_MARKER);
}

/** Case-, space- and punctuation-insensitive lookup key; NFKC folds full-width letters to ASCII. */
function matchKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function sourceKind(text: string): LeadSourceKind {
  if (hasTestMarker(text)) return 'Test';
  if (text.length > MAX_NAME_LENGTH) return 'Unknown';
  return SOURCES.get(matchKey(text)) ?? 'Unknown';
}

function actionKind(text: string): LeadActionKind {
  if (text.length > MAX_NAME_LENGTH) return 'Unknown';
  return ACTIONS.get(matchKey(text)) ?? 'Unknown';
}

/**
 * The offer is everything after the first pipe, with stray pipes at its ends dropped (`A-INS||x.y` → `x.y`).
 * Pipes inside it are kept: an offer *name* may contain one, and dropping text would lose information.
 */
function splitOffer(text: string): { head: string; offerRaw?: string; extraPipe: boolean } {
  const at = text.search(PIPES);
  if (at < 0) return { head: text.trim(), extraPipe: false };
  const rest = text.slice(at + 1);
  const extraPipe = PIPES.test(rest);
  const offer = trimPipes(rest);
  const head = text.slice(0, at).trim();
  return offer === '' ? { head, extraPipe } : { head, offerRaw: offer, extraPipe };
}

/** Trims whitespace and pipes from both ends; a loop, because an end-anchored regex is quadratic on long runs. */
function trimPipes(text: string): string {
  const strip = (ch: string | undefined): boolean => ch !== undefined && (PIPES.test(ch) || ch.trim() === '');
  let start = 0;
  let end = text.length;
  while (start < end && strip(text[start])) start++;
  while (end > start && strip(text[end - 1])) end--;
  return text.slice(start, end);
}

function firstSegment(offer: string): string {
  return (offer.split(PIPES)[0] ?? '').trim();
}

/**
 * Splits `Source-Action` at the hyphen before the action. Documented sources have no hyphen outside
 * "(SPZA)" and documented actions have none at all, but unknown values might, so every hyphen outside
 * parentheses is a candidate and the one that makes the most sense of both halves wins (earliest on a tie,
 * since sources are documented hyphen-free).
 */
function splitHead(head: string): { sourceText: string; actionText?: string } {
  const candidates = hyphenPositions(head);
  if (candidates.length === 0) return { sourceText: head };
  let best = { at: candidates[0] ?? 0, score: -1 };
  for (const at of candidates) {
    const score = splitScore(head, at);
    if (score > best.score) best = { at, score };
    if (score === 3) break;
  }
  return { sourceText: head.slice(0, best.at).trim(), actionText: head.slice(best.at + 1).trim() };
}

function splitScore(head: string, at: number): number {
  // Halves too long to be a known name are not sliced at all, so a LeadSource full of hyphens stays linear.
  const limit = MAX_NAME_LENGTH * 2;
  const left = at <= limit ? head.slice(0, at).trim() : undefined;
  const right = head.length - at - 1 <= limit ? head.slice(at + 1).trim() : undefined;
  const sourceKnown = left !== undefined && sourceKind(left) !== 'Unknown';
  const actionKnown = right !== undefined && (actionKind(right) !== 'Unknown' || hasTestMarker(right));
  return (sourceKnown ? 2 : 0) + (actionKnown ? 1 : 0);
}

function hyphenPositions(head: string): number[] {
  const outside: number[] = [];
  const all: number[] = [];
  let depth = 0;
  for (let i = 0; i < head.length; i++) {
    const ch = head[i] ?? '';
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (DASHES.has(ch)) {
      all.push(i);
      if (depth === 0) outside.push(i);
    }
  }
  // An unclosed '(' would otherwise hide every hyphen after it.
  return outside.length > 0 ? outside : all;
}

/**
 * The composite's action wins over ActionCode when both name a real action (the composite is the documented
 * format; ActionCode only appears in one example). A composite action that is just the MSFT_TEST placeholder
 * or unrecognised text does not name one, so a recognised ActionCode is used instead.
 */
function chooseAction(
  compositeText: string | undefined,
  codeText: string,
  flags: LeadSourceFlag[],
): { kind: LeadActionKind; raw: string } {
  const composite =
    compositeText !== undefined && compositeText !== '' && !hasTestMarker(compositeText)
      ? { kind: actionKind(compositeText), raw: compositeText }
      : undefined;
  const code = codeText !== '' ? { kind: actionKind(codeText), raw: codeText } : undefined;

  if (composite && code && disagree(composite, code)) flags.push('actionMismatch');
  const chosen =
    composite && (composite.kind !== 'Unknown' || code === undefined || code.kind === 'Unknown')
      ? composite
      : (code ?? composite);
  if (chosen === undefined) {
    flags.push('missingAction');
    return { kind: 'Unknown', raw: '' };
  }
  if (chosen.kind === 'Unknown') flags.push('unknownAction');
  return chosen;
}

function disagree(a: { kind: LeadActionKind; raw: string }, b: { kind: LeadActionKind; raw: string }): boolean {
  if (a.kind !== b.kind) return true;
  return a.kind === 'Unknown' && matchKey(a.raw) !== matchKey(b.raw);
}
