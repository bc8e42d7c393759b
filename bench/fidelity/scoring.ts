/**
 * Scoring of one probe (../../../shared/bench/fidelity.md, "What is measured").
 *
 * - Evidence is what the model may answer from: every message of the context with the VM's
 *   `<VM:RULES>` and `<VM:MANIFEST_JSON>` blocks removed (manifest hints are discovery metadata, the
 *   rules forbid answering from them). Direct recall: the answer string is in the evidence.
 * - Within one fault: not direct, but a page named by the manifest of that context or by one real
 *   `search_pages` call with the probe's key words, chosen from its hint the way a model would
 *   (never a page the manifest lists as mapped, such as the probe question itself), and
 *   loaded with one real `page_fault` call, returns content that holds the answer.
 * - Stale exposure (corrections): the stale value is in the evidence and the corrected one is not.
 */
import type { Fact, FactKind } from './conversation.js';
import type { ContextMessage, VmToolAccess } from './configs/types.js';
import { countMessagesTokens, countTokens } from './tokens.js';

const RULES_BLOCK = /<VM:RULES>[\s\S]*?<\/VM:RULES>/g;
const MANIFEST_BLOCK = /<VM:MANIFEST_JSON>\s*([\s\S]*?)\s*<\/VM:MANIFEST_JSON>/g;
export const PAGE_FAULT = 'page_fault';
export const SEARCH_PAGES = 'search_pages';
const MIN_KEYWORD_CHARS = 2;

export interface NamedPage {
  pageId: string;
  hint: string;
  source: 'search' | 'manifest';
}

export interface SplitContext {
  evidence: string;
  /** pages the manifest lists as loadable (not mapped) */
  manifestPages: NamedPage[];
  /** pages the manifest lists as mapped (the rules say never to fault those) */
  mappedPageIds: Set<string>;
}

interface ManifestJson {
  working_set?: { page_id?: unknown }[];
  available_pages?: { page_id?: unknown; hint?: unknown }[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function namedPages(entries: unknown, source: NamedPage['source']): NamedPage[] {
  if (!Array.isArray(entries)) return [];
  const out: NamedPage[] = [];
  for (const entry of entries as unknown[]) {
    if (!isRecord(entry) || typeof entry.page_id !== 'string') continue;
    out.push({ pageId: entry.page_id, hint: typeof entry.hint === 'string' ? entry.hint : '', source });
  }
  return out;
}

export function splitContext(messages: readonly ContextMessage[]): SplitContext {
  const manifestPages: NamedPage[] = [];
  const mappedPageIds = new Set<string>();
  const parts: string[] = [];
  for (const message of messages) {
    const content = message.content.replace(RULES_BLOCK, '').replace(MANIFEST_BLOCK, (_block, json: string) => {
      const manifest = parseJson(json) as ManifestJson | null;
      manifestPages.push(...namedPages(manifest?.available_pages, 'manifest'));
      for (const page of namedPages(manifest?.working_set, 'manifest')) mappedPageIds.add(page.pageId);
      return '';
    });
    parts.push(content);
  }
  return { evidence: parts.join('\n'), manifestPages, mappedPageIds };
}

export function keywordTokens(keywords: string): string[] {
  return keywords
    .toLowerCase()
    .split(/[^a-z0-9_-]+/)
    .filter((w) => w.length >= MIN_KEYWORD_CHARS);
}

/**
 * The page a model would fault, judged from hints only: the most key words in its hint. A tie goes
 * to the more recent page, as a model asked for a current value would choose: a search result
 * before a manifest entry, among search results the later one (equal relevance keeps registration
 * order), among manifest entries the earlier one (the manifest lists the most recent first).
 * Null when no hint shares a key word.
 */
export function choosePage(keywords: string, candidates: readonly NamedPage[]): NamedPage | null {
  const tokens = keywordTokens(keywords);
  let best: NamedPage | null = null;
  let bestScore = 0;
  for (const candidate of candidates) {
    const hint = candidate.hint.toLowerCase();
    const score = tokens.filter((t) => hint.includes(t)).length;
    if (score === 0 || score < bestScore) continue;
    const winsTie = best === null || candidate.source === 'search';
    if (score > bestScore || winsTie) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** The text of a `page_fault` result envelope (`page.content`), or the raw content when it is not one. */
export function faultedText(content: string): string {
  const parsed = parseJson(content);
  if (!isRecord(parsed) || !isRecord(parsed.page)) return content;
  const pageContent = parsed.page.content;
  if (isRecord(pageContent) && typeof pageContent.text === 'string') return pageContent.text;
  return JSON.stringify(pageContent ?? '');
}

export interface FaultAttempt {
  pageId: string;
  source: NamedPage['source'];
  found: boolean;
  /** the faulted page offers the stale value without the corrected one */
  stale: boolean;
}

/** Where the tokens of a context go. */
export interface ContextComposition {
  /** `<VM:RULES>` blocks */
  rules: number;
  /** `<VM:MANIFEST_JSON>` blocks */
  manifest: number;
  /** `<VM:CONTEXT>` blocks (the packed L0 pages) */
  packed: number;
  /** everything else: chat messages, system prompt, summaries message */
  messages: number;
}

export interface ProbeOutcome {
  factId: string;
  kind: FactKind;
  direct: boolean;
  withinOneFault: boolean;
  staleExposed: boolean;
  tokens: number;
  composition: ContextComposition;
  fault: FaultAttempt | null;
}

const PACKED_BLOCK = /<VM:CONTEXT>[\s\S]*?<\/VM:CONTEXT>/g;

function blockTokens(text: string, block: RegExp): number {
  let total = 0;
  for (const match of text.matchAll(block)) total += countTokens(match[0]);
  return total;
}

export function contextComposition(messages: readonly ContextMessage[]): ContextComposition {
  const out: ContextComposition = { rules: 0, manifest: 0, packed: 0, messages: 0 };
  for (const m of messages) {
    const rules = blockTokens(m.content, RULES_BLOCK);
    const manifest = blockTokens(m.content, MANIFEST_BLOCK);
    const packed = blockTokens(m.content, PACKED_BLOCK);
    out.rules += rules;
    out.manifest += manifest;
    out.packed += packed;
    out.messages += Math.max(0, countTokens(m.content) - rules - manifest - packed);
  }
  return out;
}

async function searchPages(tools: VmToolAccess, keywords: string): Promise<NamedPage[]> {
  const content = await tools.call(SEARCH_PAGES, { query: keywords });
  const parsed = parseJson(content);
  return isRecord(parsed) ? namedPages(parsed.results, 'search') : [];
}

async function tryOneFault(fact: Fact, split: SplitContext, tools: VmToolAccess): Promise<FaultAttempt | null> {
  const found = (await searchPages(tools, fact.keywords)).filter((p) => !split.mappedPageIds.has(p.pageId));
  const chosen = choosePage(fact.keywords, [...split.manifestPages, ...found]);
  if (chosen === null) return null;
  const text = faultedText(await tools.call(PAGE_FAULT, { page_id: chosen.pageId }));
  const hasAnswer = text.includes(fact.answer);
  return {
    pageId: chosen.pageId,
    source: chosen.source,
    found: hasAnswer,
    stale: fact.stale !== undefined && !hasAnswer && text.includes(fact.stale),
  };
}

export async function scoreProbe(fact: Fact, messages: readonly ContextMessage[], tools?: VmToolAccess): Promise<ProbeOutcome> {
  const split = splitContext(messages);
  const direct = split.evidence.includes(fact.answer);
  const staleExposed = fact.stale !== undefined && !direct && split.evidence.includes(fact.stale);
  const fault = direct || tools === undefined ? null : await tryOneFault(fact, split, tools);
  return {
    factId: fact.id,
    kind: fact.kind,
    direct,
    withinOneFault: direct || fault?.found === true,
    staleExposed,
    tokens: countMessagesTokens(messages),
    composition: contextComposition(messages),
    fault,
  };
}
