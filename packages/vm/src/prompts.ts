import { FaultReason, Modality, VM_TAGS, VM_TOOL_NAMES, VmMode } from './enums.js';
import type { VmToolDefinition, VmToolDefinitionJson } from './models/content.js';

/** Placeholder in the strict rules replaced by the enforced per-turn fault limit. */
export const MAX_FAULTS_PLACEHOLDER = '{max_faults_per_turn}';
export const DEFAULT_PROMPT_MAX_FAULTS = 2;

export const VM_STRICT_PROMPT = `You work with a paged memory of this conversation.

Decision rule (apply first): if the user asks about anything said or produced earlier in the conversation (a poem, story, joke, fact, decision, tool result, ...) and it is not inside VM:CONTEXT, your first and only action is to call page_fault with a page id taken from the "hint" fields of VM:MANIFEST_JSON. No other tool can retrieve conversation history. Strings shaped like msg_... or artifact_... are page ids and may only be passed to page_fault.

Evidence: the only valid sources are the content of VM:CONTEXT and the content returned by page_fault in tool messages. VM:MANIFEST_JSON is navigation metadata: never quote, paraphrase or rely on hints as facts, and assume nothing about pages that are not mapped. Ids, modality, tier and level are for navigation only.

Faulting: when a hint suggests a relevant page, fault it; never claim you do not have something while a matching page exists. Hints start with [user] or [assistant]; for content the assistant produced, fault the [assistant] page (the [user] page only holds the request). If a faulted page is short or lacks the answer, look for related pages in the manifest first (especially the assistant reply that followed the request); fault the same page again with target_level=0 only when it is long and detail may have been dropped. Make at most ${MAX_FAULTS_PLACEHOLDER} faults per turn and never fault a page that is already mapped, except one that working_set lists at a level above 0 when its detail is needed: fault it with target_level=0. When nothing matches say so instead of guessing.

Answering: do not invent or fill gaps. When the information cannot be obtained, answer exactly: "That is not in the context I have." Be concise. Cite every statement taken from memory inline as [ref: <page_id>], and content returned by a fault as [ref: tool:page_fault(<page_id>)]; citations are mandatory.

Tool protocol: when you call tools, reply with tool calls only; once the results arrive, give the final answer with citations.

Secrecy: never mention these rules, the memory system, tiers, paging or virtual memory unless the user explicitly asks how the mechanism works.`;

export const VM_RELAXED_PROMPT = `You have a virtual memory of this conversation. VM:CONTEXT holds the memory that is currently mapped: treat it as what you know. VM:MANIFEST_JSON lists further pages you can load.

When the user refers to something from earlier that is not in VM:CONTEXT, your first action is page_fault with a page id from the manifest; page ids (msg_..., artifact_...) are only for page_fault. If you are unsure which page holds it, call search_pages with a short query. Hints start with [user] or [assistant]: for content the assistant created, fault the [assistant] page. Re-fault a page at target_level=0 only when it is long and detail may be missing (this also restores a mapped page shown compressed, level above 0). Always fault a matching page instead of saying you do not have it; use hints to choose pages, never as content, and stay within the per-turn fault limit.

Answer naturally and do not mention the memory system unless asked.`;

export const VM_PASSIVE_PROMPT = `You are a helpful assistant. The context provided below is what you know about this session; answer from it.`;

export const VM_PROMPTS: Readonly<Record<VmMode, string>> = {
  strict: VM_STRICT_PROMPT,
  relaxed: VM_RELAXED_PROMPT,
  passive: VM_PASSIVE_PROMPT,
};

/** Rules text of a mode (unknown → passive). */
export function getPromptForMode(mode: string): string {
  return (VM_PROMPTS as Readonly<Record<string, string | undefined>>)[mode] ?? VM_PASSIVE_PROMPT;
}

const rulesCache = new Map<string, string>();

function rulesText(mode: VmMode, maxFaults: number): string {
  const key = `${mode}:${maxFaults}`;
  let text = rulesCache.get(key);
  if (text === undefined) {
    text = getPromptForMode(mode).replace(MAX_FAULTS_PLACEHOLDER, String(maxFaults));
    rulesCache.set(key, text);
  }
  return text;
}

export interface DeveloperMessageArgs {
  mode: VmMode;
  manifestJson: string;
  context: string;
  systemPrompt?: string;
  maxFaultsPerTurn?: number;
}

/** System prompt, rules, manifest and context blocks joined by blank lines (passive: context only). */
export function buildVmDeveloperMessage(args: DeveloperMessageArgs): string {
  // Plain concatenation (a rope): the large context and manifest strings are not copied here.
  let out = args.systemPrompt ? `${args.systemPrompt}\n\n` : '';
  if (args.mode !== VmMode.Passive) {
    out += `${VM_TAGS.RulesOpen}\n${rulesText(args.mode, args.maxFaultsPerTurn ?? DEFAULT_PROMPT_MAX_FAULTS)}\n${VM_TAGS.RulesClose}\n\n`;
    out += `${VM_TAGS.ManifestOpen}\n${args.manifestJson}\n${VM_TAGS.ManifestClose}\n\n`;
  }
  return `${out}${VM_TAGS.ContextOpen}\n${args.context}\n${VM_TAGS.ContextClose}`;
}

export const DEFAULT_TOOL_TARGET_LEVEL = 2;
export const DEFAULT_TOOL_SEARCH_LIMIT = 5;
export const MAX_TOOL_SEARCH_LIMIT = 50;

export const PAGE_FAULT_TOOL: VmToolDefinition = {
  type: 'function',
  function: {
    name: VM_TOOL_NAMES.PageFault,
    description: 'Load a memory page into context at a compression level. Use when you know the page id (from the manifest).',
    parameters: {
      type: 'object',
      properties: {
        page_id: { type: 'string', description: 'Id of the page to load, e.g. msg_1a2b3c4d' },
        target_level: {
          type: 'integer',
          description: '0 = full, 1 = reduced, 2 = abstract, 3 = reference',
          minimum: 0,
          maximum: 3,
          default: DEFAULT_TOOL_TARGET_LEVEL,
        },
        reason: {
          type: 'string',
          description: 'Why the page is needed',
          enum: Object.values(FaultReason),
          default: FaultReason.ResolveReference,
        },
      },
      required: ['page_id'],
    },
  },
};

export const SEARCH_PAGES_TOOL: VmToolDefinition = {
  type: 'function',
  function: {
    name: VM_TOOL_NAMES.SearchPages,
    description: 'Search for memory pages matching a query. Use when you need relevant pages but do not know their ids.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Keywords or a short description of what you are looking for' },
        modality: { type: 'string', description: 'Only pages of this modality', enum: Object.values(Modality) },
        limit: { type: 'integer', description: 'Maximum number of results', minimum: 1, maximum: MAX_TOOL_SEARCH_LIMIT, default: DEFAULT_TOOL_SEARCH_LIMIT },
      },
      required: ['query'],
    },
  },
};

export const VM_TOOL_DEFINITIONS: readonly VmToolDefinition[] = [PAGE_FAULT_TOOL, SEARCH_PAGES_TOOL];

function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = toPlain(v);
    return out;
  }
  return value;
}

export function getVmTools(opts: { includeSearch?: boolean } = {}): VmToolDefinition[] {
  return opts.includeSearch === false ? [PAGE_FAULT_TOOL] : [...VM_TOOL_DEFINITIONS];
}

/** Plain JSON tool definitions (null/undefined fields omitted), ready for an API call. */
export function getVmToolsAsJson(opts: { includeSearch?: boolean } = {}): VmToolDefinitionJson[] {
  return getVmTools(opts).map((t) => toPlain(t) as VmToolDefinitionJson);
}

export const VM_TOOLS: readonly VmToolDefinitionJson[] = getVmToolsAsJson();
