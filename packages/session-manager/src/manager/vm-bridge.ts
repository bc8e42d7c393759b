/**
 * The facade's side of the VM contract (spec/vm.md §25, conversation-and-facade.md §6.13): which
 * pages each recorded event becomes, what a rollover does to the working set, and the VM-aware
 * messages for the LLM. Only created with `enableVm: true`.
 */
import type { ChatMessage, Logger, Session, SessionEvent } from '@chuk/models';
import { EventSource, EventType, MessageRole } from '@chuk/models';
import { messageText, safeJson, summaryTextOf } from '@chuk/conversation';
import type { VmContext, VmFacadeOptions, VmFacadeSettings, VmToolCallOutcome, VmToolDefinition } from '@chuk/vm';
import {
  MemoryManager,
  MutationType,
  PAGE_ID_PREFIX_MSG,
  PageType,
  StorageTier,
  VmDeveloperRole,
  VmImportance,
  VmPromptStrategy,
  resolveVmFacadeSettings,
} from '@chuk/vm';
import { resultText } from './events.js';

/** Characters of a message shown in its page hint. */
export const HINT_CHARS = 120;
/** Characters of a summary shown in its page hint. */
export const SUMMARY_HINT_CHARS = 100;
/** Characters of the event id used in a transcript page id (`msg_<8>`). */
export const PAGE_ID_EVENT_CHARS = 8;

interface TranscriptPage {
  pageId: string;
  role: typeof MessageRole.User | typeof MessageRole.Assistant;
  content: string;
}

export interface VmBridgeInit {
  sessionId: string;
  options: VmFacadeOptions;
  clock: () => Date;
  logger: Logger;
}

export class VmBridge {
  readonly manager: MemoryManager;
  private readonly settings: VmFacadeSettings;
  private readonly transcript: TranscriptPage[] = [];

  private constructor(manager: MemoryManager, settings: VmFacadeSettings) {
    this.manager = manager;
    this.settings = settings;
  }

  static create(init: VmBridgeInit): VmBridge {
    const o = init.options;
    const settings = resolveVmFacadeSettings(o);
    const manager = new MemoryManager({
      sessionId: init.sessionId,
      ...(o.config === undefined ? {} : { config: o.config }),
      ...(o.mode === undefined ? {} : { mode: o.mode }),
      ...(o.evictionPolicy === undefined ? {} : { evictionPolicy: o.evictionPolicy }),
      ...(o.compressorRegistry === undefined ? {} : { compressorRegistry: o.compressorRegistry }),
      ...(o.faultPolicy === undefined ? {} : { faultPolicy: o.faultPolicy }),
      ...(o.tierStore === undefined ? {} : { tierStore: o.tierStore }),
      ...(o.estimator === undefined ? {} : { estimator: o.estimator }),
      ...(o.manifest === undefined ? {} : { manifest: o.manifest }),
      ...(o.maxPinnedSummaries === undefined ? {} : { maxPinnedSummaries: o.maxPinnedSummaries }),
      ...(o.recordVersions === undefined ? {} : { recordVersions: o.recordVersions }),
      ...(o.chargeContextLines === undefined ? {} : { chargeContextLines: o.chargeContextLines }),
      clock: init.clock,
      logger: init.logger,
    });
    return new VmBridge(manager, settings);
  }

  private get developerRole(): typeof MessageRole.System | typeof MessageRole.Developer {
    return this.settings.developerRole === VmDeveloperRole.Developer ? MessageRole.Developer : MessageRole.System;
  }

  /** `userSays` before the event: a new VM turn (default), then the demand pre-pass on the raw message. */
  async beforeUserMessage(message: string): Promise<void> {
    if (this.settings.turnPerUserMessage) await this.manager.newTurn();
    await this.manager.demandPrePass(message);
  }

  private async pageIdFor(eventId: string): Promise<string> {
    const short = `${PAGE_ID_PREFIX_MSG}_${eventId.slice(0, PAGE_ID_EVENT_CHARS)}`;
    return (await this.manager.getPage(short)) === undefined ? short : `${PAGE_ID_PREFIX_MSG}_${eventId}`;
  }

  /** A transcript page for a user or assistant message event (its stored count as the size). */
  async onMessage(event: SessionEvent, role: typeof MessageRole.User | typeof MessageRole.Assistant): Promise<void> {
    const content = messageText(event.message);
    const user = role === MessageRole.User;
    const pageId = await this.pageIdFor(event.id);
    const sizeTokens = user ? event.tokenUsage?.promptTokens : event.tokenUsage?.completionTokens;
    const page = await this.manager.createPage(content, {
      pageType: PageType.Transcript,
      importance: user ? VmImportance.User : VmImportance.Ai,
      pageId,
      hint: `[${role}] ${content.slice(0, HINT_CHARS)}`,
      role,
      metadata: { event_id: event.id },
      ...(sizeTokens === undefined ? {} : { sizeTokens }),
    });
    await this.manager.addToWorkingSet(page);
    this.transcript.push({ pageId, role, content });
  }

  /** An artifact page for a tool call recorded by `toolUsed`. */
  async onTool(toolName: string, args: unknown, result: unknown, error: string | null): Promise<void> {
    const shown = resultText(result);
    const content = `${toolName}(${safeJson(args)}) -> ${shown}${error === null ? '' : ` [error: ${error}]`}`;
    const page = await this.manager.createPage(content, {
      pageType: PageType.Artifact,
      importance: VmImportance.Tool,
      hint: `[tool] ${toolName}: ${shown.slice(0, HINT_CHARS)}`,
      role: MessageRole.Tool,
    });
    await this.manager.addToWorkingSet(page);
  }

  /** An artifact page for a `tool_call` event appended through `ToolEventSink` (VM tools excluded). */
  async onToolEvent(event: SessionEvent, vmToolNames: Readonly<Record<string, string>>): Promise<void> {
    const message = (event.message ?? {}) as { tool?: unknown; tool_name?: unknown; arguments?: unknown; result?: unknown; error?: unknown };
    const name = typeof message.tool === 'string' ? message.tool : typeof message.tool_name === 'string' ? message.tool_name : 'unknown';
    if (Object.values(vmToolNames).includes(name)) return;
    await this.onTool(name, message.arguments ?? null, message.result ?? null, typeof message.error === 'string' ? message.error : null);
  }

  /** Rollover: a pinned summary page, then every unpinned L0 page to L2 (still under the old id). */
  async onRollover(summary: string): Promise<void> {
    const workingSet = this.manager.workingSet;
    const evicting = (await this.manager.getL0Pages()).map((p) => p.pageId).filter((id) => !workingSet.isPinned(id));
    const page = await this.manager.createPage(summary, {
      pageType: PageType.Summary,
      importance: VmImportance.Summary,
      hint: `segment summary: ${summary.slice(0, SUMMARY_HINT_CHARS)}`,
      role: MessageRole.System,
      provenance: evicting,
    });
    await this.manager.pinPage(page.pageId);
    await this.manager.addToWorkingSet(page);
    await this.manager.setLastSegmentSummary(page.pageId);
    await this.manager.evictSegmentPages(StorageTier.L2);
  }

  /** After the new segment exists: the VM follows the id and starts a new turn. */
  async afterRollover(newSessionId: string): Promise<void> {
    await this.manager.updateSessionId(newSessionId);
    await this.manager.newTurn();
  }

  async context(
    systemPrompt: string | null,
    options: { modelId?: string; tokenBudget?: number; excludePageIds?: ReadonlySet<string> },
  ): Promise<VmContext> {
    return this.manager.buildContext({
      systemPrompt: systemPrompt ?? '',
      modelId: options.modelId ?? '',
      ...(options.tokenBudget === undefined ? {} : { tokenBudget: options.tokenBudget }),
      ...(options.excludePageIds === undefined ? {} : { excludePageIds: options.excludePageIds }),
    });
  }

  /**
   * Messages for the LLM with the VM: the developer message, then the transcript (§25.7). With
   * `mapped_messages` the pages sent as chat messages are left out of `VM:CONTEXT`, so each turn appears once.
   */
  async messagesForLlm(systemPrompt: string | null, session: Session): Promise<ChatMessage[]> {
    if (this.settings.promptStrategy === VmPromptStrategy.Duplicate) {
      const context = await this.context(systemPrompt, {});
      const out: ChatMessage[] = [{ role: this.developerRole, content: context.developerMessage }];
      for (const event of session.events) {
        if (event.type !== EventType.Message) continue;
        if (event.source === EventSource.User) out.push({ role: MessageRole.User, content: messageText(event.message) });
        else if (event.source === EventSource.Llm) out.push({ role: MessageRole.Assistant, content: messageText(event.message) });
      }
      return out;
    }
    const mapped = await this.mappedPages();
    const context = await this.context(systemPrompt, { excludePageIds: new Set(mapped.map((p) => p.pageId)) });
    return [{ role: this.developerRole, content: context.developerMessage }, ...mapped.map((p) => ({ role: p.role, content: p.content }))];
  }

  /**
   * Transcript pages in L0 that were never evicted, in creation order, with the text of their L0 copy (a page
   * compressed in place is sent compressed, so the prompt holds what L0 is charged for); the latest user message
   * always (whole).
   */
  private async mappedPages(): Promise<TranscriptPage[]> {
    const inL0 = new Map<string, string>();
    for (const p of await this.manager.getL0Pages()) inL0.set(p.pageId, typeof p.content === 'string' ? p.content : safeJson(p.content));
    const evicted = new Set(this.manager.mutationLog.getMutationsByType(MutationType.Evict).map((m) => m.pageId));
    let latestUser: TranscriptPage | undefined;
    for (const page of this.transcript) if (page.role === MessageRole.User) latestUser = page;
    const out: TranscriptPage[] = [];
    for (const page of this.transcript) {
      const content = inL0.get(page.pageId);
      if (content === undefined || evicted.has(page.pageId)) continue;
      out.push(page === latestUser ? page : { ...page, content });
    }
    if (latestUser !== undefined && !out.some((p) => p.pageId === latestUser.pageId)) out.push(latestUser);
    return out;
  }

  async handleToolCall(name: string, args: unknown): Promise<VmToolCallOutcome> {
    return this.manager.handleToolCall(name, args);
  }

  tools(): VmToolDefinition[] {
    return this.manager.getVmTools();
  }

  /**
   * A reopened session (spec/vm.md §25.9): pages for the messages, tool calls and summaries of the chain.
   * Earlier segments' pages go to L2 (reachable by a fault), their summaries stay pinned in L0, and the
   * current segment is mapped as if it had just been recorded.
   */
  async rebuild(chain: readonly Session[]): Promise<void> {
    const current = chain.at(-1);
    for (const session of chain) {
      if (session === current) continue;
      for (const event of session.events) {
        if (event.type === EventType.Summary) await this.summaryPage(summaryTextOf(event.message));
        else if (event.type === EventType.Message) await this.archivedPage(event);
      }
    }
    if (current === undefined) return;
    for (const event of current.events) {
      if (event.type === EventType.Message) {
        await this.onMessage(event, event.source === EventSource.User ? MessageRole.User : MessageRole.Assistant);
      } else if (event.type === EventType.ToolCall) {
        await this.onToolEvent(event, {});
      } else if (event.type === EventType.Summary) {
        await this.summaryPage(summaryTextOf(event.message));
      }
    }
  }

  private async summaryPage(text: string): Promise<void> {
    const page = await this.manager.createPage(text, {
      pageType: PageType.Summary,
      importance: VmImportance.Summary,
      hint: `segment summary: ${text.slice(0, SUMMARY_HINT_CHARS)}`,
      role: MessageRole.System,
    });
    await this.manager.pinPage(page.pageId);
    await this.manager.addToWorkingSet(page);
  }

  private async archivedPage(event: SessionEvent): Promise<void> {
    const role = event.source === EventSource.User ? MessageRole.User : MessageRole.Assistant;
    const content = messageText(event.message);
    const page = await this.manager.createPage(content, {
      pageType: PageType.Transcript,
      importance: role === MessageRole.User ? VmImportance.User : VmImportance.Ai,
      pageId: await this.pageIdFor(event.id),
      hint: `[${role}] ${content.slice(0, HINT_CHARS)}`,
      role,
      metadata: { event_id: event.id },
    });
    await this.manager.evictPage(page.pageId, StorageTier.L2);
  }
}
