import { z } from 'zod';
import { FaultReasonSchema, ModalitySchema, VM_TOOL_NAMES, type CompressionLevel, type FaultReason, type Modality } from '../enums.js';
import type { FaultResult } from '../fault.js';
import type { SearchResult } from '../models/content.js';
import { DEFAULT_TOOL_SEARCH_LIMIT, DEFAULT_TOOL_TARGET_LEVEL, MAX_TOOL_SEARCH_LIMIT } from '../prompts.js';

export const PageFaultArgsSchema = z.object({
  page_id: z.string().min(1).describe('Id of the page to load'),
  target_level: z.number().int().min(0).max(3).default(DEFAULT_TOOL_TARGET_LEVEL).describe('Compression level to load at'),
  reason: FaultReasonSchema.optional().describe('Why the page is needed'),
});
export const SearchPagesArgsSchema = z.object({
  query: z.string().describe('Search query'),
  modality: ModalitySchema.optional().describe('Only pages of this modality'),
  limit: z.number().int().min(1).max(MAX_TOOL_SEARCH_LIMIT).default(DEFAULT_TOOL_SEARCH_LIMIT).describe('Maximum results'),
});

/** Result of `MemoryManager.handleToolCall`; `{ handled, content }` fits `@chuk/tools`' `InternalToolHandler`. */
export interface VmToolCallOutcome {
  /** False when the name is not a VM tool. */
  handled: boolean;
  /** JSON for the tool message. */
  content: string;
  faultResult?: FaultResult;
  searchResult?: SearchResult;
}

/** What the dispatcher needs from the manager. */
export interface VmToolTarget {
  readonly faultsAllowed: boolean;
  fault(pageId: string, level: CompressionLevel, reason: FaultReason | undefined): Promise<{ result: FaultResult; content: string }>;
  search(query: string, modality: Modality | undefined, limit: number): Promise<{ result: SearchResult; content: string }>;
}

function errorContent(error: string, pageId: string | null): string {
  return JSON.stringify({ error, page_id: pageId });
}

function parseArgs(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? {};
  if (args.trim() === '') return {};
  return JSON.parse(args) as unknown;
}

function issuesText(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
}

/** Dispatch a `page_fault` / `search_pages` call; never throws. */
export async function dispatchVmToolCall(target: VmToolTarget, name: string, rawArgs: unknown): Promise<VmToolCallOutcome> {
  if (name !== VM_TOOL_NAMES.PageFault && name !== VM_TOOL_NAMES.SearchPages) return { handled: false, content: '' };
  let args: unknown;
  try {
    args = parseArgs(rawArgs);
  } catch {
    return { handled: true, content: errorContent('Arguments are not valid JSON', null) };
  }
  const pageIdHint = typeof args === 'object' && args !== null && 'page_id' in args && typeof args.page_id === 'string' ? args.page_id : null;
  if (!target.faultsAllowed) return { handled: true, content: errorContent('VM tools are disabled in passive mode', pageIdHint) };
  if (name === VM_TOOL_NAMES.PageFault) {
    const parsed = PageFaultArgsSchema.safeParse(args);
    if (!parsed.success) return { handled: true, content: errorContent(`Invalid arguments: ${issuesText(parsed.error)}`, pageIdHint) };
    const { result, content } = await target.fault(parsed.data.page_id, parsed.data.target_level as CompressionLevel, parsed.data.reason);
    return { handled: true, content, faultResult: result };
  }
  const parsed = SearchPagesArgsSchema.safeParse(args);
  if (!parsed.success) return { handled: true, content: errorContent(`Invalid arguments: ${issuesText(parsed.error)}`, null) };
  const { result, content } = await target.search(parsed.data.query, parsed.data.modality, parsed.data.limit);
  return { handled: true, content, searchResult: result };
}
