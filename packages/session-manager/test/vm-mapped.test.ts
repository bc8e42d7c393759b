import { MessageRole, type ChatMessage } from '@chuk/models';
import { LRUEvictionPolicy, VM_TAGS, VM_TOOL_NAMES, type MemoryManager } from '@chuk/vm';
import { describe, expect, it } from 'vitest';
import { makeManager } from './helpers.js';

/** The `VM:CONTEXT` block of the developer message. */
function contextBlock(messages: readonly ChatMessage[]): string {
  const dev = messages[0]?.content ?? '';
  const start = dev.indexOf(VM_TAGS.ContextOpen);
  const end = dev.indexOf(VM_TAGS.ContextClose);
  expect(start).toBeGreaterThanOrEqual(0);
  return dev.slice(start + VM_TAGS.ContextOpen.length, end);
}

const turn = (i: number) => `turn ${i} talks about topic${i} in several words`;

describe('mapped_messages: each turn appears once (spec/vm.md §25.7)', () => {
  it('sends L0 transcript pages as chat messages only, other L0 pages in VM:CONTEXT, all in the manifest', async () => {
    const { manager } = makeManager({ enableVm: true, systemPrompt: 'Be brief.' });
    const vm = manager.vm as MemoryManager;
    await manager.userSays(turn(0));
    await manager.aiResponds(turn(1));
    await manager.toolUsed('lookup', { q: 'weather' }, 'sunny and warm');
    await manager.userSays(turn(2));
    const messages = await manager.getMessagesForLlm();
    const chat = messages.slice(1);
    expect(chat).toEqual([
      { role: MessageRole.User, content: turn(0) },
      { role: MessageRole.Assistant, content: turn(1) },
      { role: MessageRole.User, content: turn(2) },
    ]);
    const block = contextBlock(messages);
    const l0 = await vm.getL0Pages();
    const transcript = l0.filter((p) => p.pageType === 'transcript');
    expect(transcript).toHaveLength(3);
    for (const page of transcript) {
      expect(chat.map((m) => m.content)).toContain(page.content);
      expect(block).not.toContain(page.content);
      expect(messages[0]?.content ?? '').toContain(`"${page.pageId}"`);
    }
    expect(block).toContain('sunny and warm');
    // The duplicate strategy still repeats the turns in VM:CONTEXT (reference behaviour).
    const dup = makeManager({ enableVm: true, vm: { promptStrategy: 'duplicate' } }).manager;
    await dup.userSays(turn(0));
    expect(contextBlock(await dup.getMessagesForLlm())).toContain(turn(0));
  });

  it('drops evicted turns from both the chat messages and VM:CONTEXT', async () => {
    const { manager } = makeManager({
      enableVm: true,
      vm: { config: { maxL0Tokens: 60, reservedTokens: 0 }, evictionPolicy: new LRUEvictionPolicy() },
    });
    const vm = manager.vm as MemoryManager;
    for (let i = 0; i < 10; i++) await manager.userSays(turn(i));
    const messages = await manager.getMessagesForLlm();
    const chat = messages.slice(1).map((m) => m.content);
    const block = contextBlock(messages);
    const inL0 = new Set((await vm.getL0Pages()).map((p) => p.pageId));
    const idOf = new Map([...vm.hints].map(([id, hint]) => [hint.replace(/^\[user\] /, ''), id]));
    const l0 = { has: (text: string) => inL0.has(idOf.get(text) ?? '') };
    expect(idOf.size).toBe(10);
    expect(l0.has(turn(0))).toBe(false);
    expect(chat).not.toContain(turn(0));
    expect(block).not.toContain(turn(0));
    expect(chat.at(-1)).toBe(turn(9));
    // A turn in L0 appears once, as its L0 copy (compressed in place when L0 is tight); an evicted one not at all.
    const l0Text = new Map((await vm.getL0Pages()).map((p) => [p.pageId, String(p.content)]));
    for (let i = 0; i < 10; i++) {
      const text = l0Text.get(idOf.get(turn(i)) ?? '') ?? turn(i);
      const shown = Number(chat.includes(text)) + Number(block.includes(text));
      expect(shown).toBe(l0.has(turn(i)) ? 1 : 0);
    }
  });

  it('shows a turn faulted back into L0 as a VM:CONTEXT line, not as a chat message', async () => {
    const { manager } = makeManager({ enableVm: true });
    const vm = manager.vm as MemoryManager;
    await manager.userSays(turn(0));
    await manager.aiResponds(turn(1));
    await manager.userSays(turn(2));
    const first = (await vm.getL0Pages()).find((p) => p.content === turn(1));
    expect(first).toBeDefined();
    const pageId = first?.pageId ?? '';
    await vm.unpinPage(pageId);
    expect(await vm.evictPage(pageId)).toBe(true);
    const outcome = await manager.handleVmToolCall(VM_TOOL_NAMES.PageFault, { page_id: pageId, target_level: 0 });
    expect(outcome.faultResult?.success).toBe(true);
    const messages = await manager.getMessagesForLlm();
    const chat = messages.slice(1).map((m) => m.content);
    expect(chat).toEqual([turn(0), turn(2)]);
    expect(contextBlock(messages)).toContain(turn(1));
  });

  it('sends the latest user message once even after it was evicted and faulted back', async () => {
    const { manager } = makeManager({ enableVm: true });
    const vm = manager.vm as MemoryManager;
    await manager.userSays(turn(0));
    const latest = (await vm.getL0Pages()).find((p) => p.content === turn(0))?.pageId ?? '';
    await vm.unpinPage(latest);
    expect(await vm.evictPage(latest)).toBe(true);
    expect((await vm.handleFault(latest, 0)).success).toBe(true);
    expect((await vm.getL0Pages()).map((p) => p.pageId)).toContain(latest);
    const messages = await manager.getMessagesForLlm();
    expect(messages.slice(1)).toEqual([{ role: MessageRole.User, content: turn(0) }]);
    expect(contextBlock(messages)).not.toContain(turn(0));
  });
});
