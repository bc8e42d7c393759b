import { InMemorySessionStore, InvalidInput, MessageRole } from '@chuk/models';
import { LRUEvictionPolicy, MemoryManager, PageType, StorageTier, VmImportance, VmMode } from '@chuk/vm';
import { describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../src/manager/session-manager.js';
import { toAnthropicMessagesRequest } from '../src/adapters/anthropic.js';
import { toOpenAiChatRequest } from '../src/adapters/openai.js';
import { makeManager, sequentialIds, wordCounter } from './helpers.js';

describe('VM disabled', () => {
  it('creates no VM and returns null / empty results', async () => {
    const { manager } = makeManager({ vm: { mode: VmMode.Relaxed } });
    expect(manager.vm).toBeNull();
    expect(await manager.getVmContext()).toBeNull();
    expect(await manager.getVmTools()).toEqual([]);
    expect(await manager.handleVmToolCall('page_fault', { page_id: 'x' })).toEqual({ handled: false, content: '' });
  });
});

describe('VM enabled', () => {
  it('constructs the MemoryManager with the manager id, and validates VM options', () => {
    const { manager } = makeManager({ enableVm: true });
    expect(manager.vm).toBeInstanceOf(MemoryManager);
    expect(manager.vm?.sessionId).toBe(manager.sessionId);
    expect(() => makeManager({ enableVm: true, vm: { promptStrategy: 'bogus' as 'duplicate' } })).toThrow(InvalidInput);
  });

  it('maps events to pages with the documented ids, importances, hints and sizes', async () => {
    const { manager } = makeManager({ enableVm: true, idGenerator: sequentialIds('evt') });
    await manager.userSays('What is the capital of France?');
    await manager.aiResponds('Paris is the capital.', { model: 'gpt-4o' });
    await manager.toolUsed('lookup', { q: 'France' }, { capital: 'Paris' });
    await manager.toolUsed('lookup', { q: 'Mars' }, null, { error: 'no data' });
    const vm = manager.vm as MemoryManager;
    const pages = await vm.getL0Pages();
    const [user, ai, tool, failed] = pages;
    expect(user?.pageId).toMatch(/^msg_evt-\d{4}$/);
    expect(user?.pageType).toBe(PageType.Transcript);
    expect(user?.importance).toBe(VmImportance.User);
    expect(user?.metadata).toMatchObject({ role: MessageRole.User });
    expect(user?.metadata.event_id).toMatch(/^evt-/);
    expect(user?.sizeTokens).toBe(6);
    expect(vm.hints.get(user?.pageId ?? '')).toBe('[user] What is the capital of France?');
    expect(ai?.importance).toBe(VmImportance.Ai);
    expect(ai?.sizeTokens).toBe(4);
    expect(vm.hints.get(ai?.pageId ?? '')).toBe('[assistant] Paris is the capital.');
    expect(tool?.pageType).toBe(PageType.Artifact);
    expect(tool?.importance).toBe(VmImportance.Tool);
    expect(tool?.content).toBe('lookup({"q":"France"}) -> {"capital":"Paris"}');
    expect(vm.hints.get(tool?.pageId ?? '')).toBe('[tool] lookup: {"capital":"Paris"}');
    expect(failed?.content).toBe('lookup({"q":"Mars"}) -> null [error: no data]');
  });

  it('uses the full event id when the short page id is taken', async () => {
    const ids = ['session-1', 'aaaaaaaa-1111', 'aaaaaaaa-2222'];
    const { manager } = makeManager({ enableVm: true, idGenerator: () => ids.shift() ?? crypto.randomUUID() });
    await manager.userSays('one');
    await manager.userSays('two');
    const pageIds = (await (manager.vm as MemoryManager).getL0Pages()).map((p) => p.pageId);
    expect(pageIds).toEqual(['msg_aaaaaaaa', 'msg_aaaaaaaa-2222']);
  });

  it('advances the VM turn once per user message (and not with turnPerUserMessage: false)', async () => {
    const { manager } = makeManager({ enableVm: true });
    const vm = manager.vm as MemoryManager;
    const newTurn = vi.spyOn(vm, 'newTurn');
    const prePass = vi.spyOn(vm, 'demandPrePass');
    await manager.userSays('a');
    await manager.aiResponds('b');
    await manager.userSays('c');
    expect(newTurn).toHaveBeenCalledTimes(2);
    expect(prePass).toHaveBeenCalledWith('c');
    const parity = makeManager({ enableVm: true, vm: { turnPerUserMessage: false } }).manager;
    const parityTurn = vi.spyOn(parity.vm as MemoryManager, 'newTurn');
    await parity.userSays('a');
    expect(parityTurn).not.toHaveBeenCalled();
  });

  it('uses the developer message as the first LLM message, and the transcript after it', async () => {
    const { manager } = makeManager({ enableVm: true, systemPrompt: 'Be brief.' });
    await manager.userSays('hi');
    await manager.aiResponds('hello');
    const messages = await manager.getMessagesForLlm();
    expect(messages[0]?.role).toBe(MessageRole.System);
    expect(messages[0]?.content).toContain('Be brief.');
    expect(messages[0]?.content).toContain('VM:CONTEXT');
    expect(messages.slice(1)).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
    expect(await manager.getMessagesForLlm({ includeSystem: false })).toEqual(messages.slice(1));
    const context = await manager.getVmContext({ modelId: 'gpt-4o', tokenBudget: 2000 });
    expect(context?.developerMessage).toContain('Be brief.');
    expect((await manager.getVmTools()).map((t) => t.function.name)).toContain('page_fault');
    const request = toOpenAiChatRequest(await manager.getMessagesForLlm(), { model: 'gpt-4o', tools: await manager.getVmTools() });
    expect(request.tools?.map((t) => t.function.name)).toEqual(['page_fault', 'search_pages']);
    expect(toAnthropicMessagesRequest(messages, { model: 'c', maxTokens: 10, tools: await manager.getVmTools() }).tools?.[0]?.name).toBe('page_fault');
  });

  it('supports the duplicate strategy and the developer role', async () => {
    const { manager } = makeManager({ enableVm: true, vm: { promptStrategy: 'duplicate', developerRole: 'developer' } });
    await manager.userSays('hi');
    await manager.toolUsed('t', {}, 1);
    const messages = await manager.getMessagesForLlm();
    expect(messages.map((m) => m.role)).toEqual(['developer', 'user']);
  });

  it('drops evicted turns from the chat messages (mapped_messages) but keeps the latest user message', async () => {
    const { manager } = makeManager({
      enableVm: true,
      vm: { config: { maxL0Tokens: 60, reservedTokens: 0 }, evictionPolicy: new LRUEvictionPolicy() },
    });
    for (let i = 0; i < 8; i++) await manager.userSays(`message number ${i} with several words to fill the window`);
    const messages = await manager.getMessagesForLlm();
    const chat = messages.slice(1).map((m) => m.content);
    expect(chat.length).toBeLessThan(8);
    expect(chat.at(-1)).toBe('message number 7 with several words to fill the window');
    expect(chat).not.toContain('message number 0 with several words to fill the window');
  });

  it('pins a summary page and evicts the segment on rollover; the VM follows the new id', async () => {
    const { manager } = makeManager({ enableVm: true, infiniteContext: true, maxTurnsPerSegment: 2, summaryCallback: async () => 'The user greeted.' });
    const vm = manager.vm as MemoryManager;
    await manager.userSays('hello');
    await manager.aiResponds('hi');
    const before = (await vm.getL0Pages()).map((p) => p.pageId);
    const next = await manager.userSays('next topic');
    expect(vm.sessionId).toBe(next);
    const l0 = await vm.getL0Pages();
    const summary = l0.find((p) => p.pageType === PageType.Summary);
    expect(summary?.content).toBe('The user greeted.');
    expect(summary?.importance).toBe(VmImportance.Summary);
    expect(summary?.provenance).toEqual(before);
    expect(vm.workingSet.isPinned(summary?.pageId ?? '')).toBe(true);
    expect(vm.hints.get(summary?.pageId ?? '')).toBe('segment summary: The user greeted.');
    for (const id of before) expect(vm.pageTable.lookup(id)?.tier).toBe(StorageTier.L2);
    expect((await manager.getMessagesForLlm())[0]?.content).toContain('The user greeted.');
  });

  it('serves VM tool calls through handleVmToolCall', async () => {
    const { manager } = makeManager({ enableVm: true });
    await manager.userSays('remember the code word: pineapple');
    const page = (await (manager.vm as MemoryManager).getL0Pages())[0];
    const outcome = await manager.handleVmToolCall('search_pages', { query: 'pineapple' });
    expect(outcome.handled).toBe(true);
    expect(outcome.content).toContain(page?.pageId ?? 'missing');
    expect((await manager.handleVmToolCall('weather', {})).handled).toBe(false);
  });

  it('rebuilds pages when reopening a session', async () => {
    const store = new InMemorySessionStore();
    const writer = new SessionManager({ store, counter: wordCounter });
    await writer.userSays('first');
    await writer.aiResponds('second');
    await writer.toolUsed('t', { a: 1 }, 'r');
    const { SessionEvent, EventType } = await import('@chuk/models');
    await store.append(writer.sessionId, [SessionEvent.create({ message: 'a summary', type: EventType.Summary })]);
    const reader = new SessionManager({ store, sessionId: writer.sessionId, enableVm: true, counter: wordCounter });
    await reader.ensureInitialized();
    const pages = await (reader.vm as MemoryManager).getL0Pages();
    expect(pages.map((p) => p.pageType)).toEqual([PageType.Transcript, PageType.Transcript, PageType.Artifact, PageType.Summary]);
  });

  it('rebuilds an infinite chain: earlier turns at L2, their summaries pinned, the current segment mapped', async () => {
    const store = new InMemorySessionStore();
    const writer = new SessionManager({ store, counter: wordCounter, infiniteContext: true, maxTurnsPerSegment: 2, summaryCallback: async () => 'S1' });
    await writer.userSays('old question about pineapples');
    await writer.aiResponds('old answer');
    await writer.userSays('new question');
    const reader = new SessionManager({ store, sessionId: writer.sessionId, enableVm: true, infiniteContext: true, counter: wordCounter });
    await reader.ensureInitialized();
    const vm = reader.vm as MemoryManager;
    const l0 = await vm.getL0Pages();
    expect(l0.map((p) => p.pageType)).toEqual([PageType.Summary, PageType.Transcript]);
    expect(vm.pageTable.getByTier(StorageTier.L2)).toHaveLength(2);
    const found = await reader.handleVmToolCall('search_pages', { query: 'pineapples' });
    expect(found.content).toContain('msg_');
  });

  it('records tool events appended through the sink as pages, except the VM tools', async () => {
    const { manager } = makeManager({ enableVm: true });
    await manager.ensureInitialized();
    const { SessionEvent, EventType } = await import('@chuk/models');
    await manager.appendEvents([
      SessionEvent.create({ message: { tool: 'calc', arguments: { x: 1 }, result: 2, error: null }, type: EventType.ToolCall }),
      SessionEvent.create({ message: { tool: 'page_fault', arguments: {}, result: 'x' }, type: EventType.ToolCall }),
      SessionEvent.create({ message: { tool_name: 'legacy', error: 'bad' }, type: EventType.ToolCall }),
      SessionEvent.create({ message: 'not a tool payload', type: EventType.ToolCall }),
    ]);
    const contents = (await (manager.vm as MemoryManager).getL0Pages()).map((p) => p.content);
    expect(contents).toEqual(['calc({"x":1}) -> 2', 'legacy(null) -> null [error: bad]', 'unknown(null) -> null']);
  });
});
