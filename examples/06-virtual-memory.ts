/**
 * 06 — virtual memory through the facade: a VM-enabled SessionManager, its L0 pages and context,
 * the segmentation hook (pinned summary page, segment evicted to L2, VM id following the manager),
 * a fault through the VM tools, and a manager with a custom eviction policy.
 */
import type { MemoryManager } from '@chuk/vm';
import { LRUEvictionPolicy, StorageTier } from '@chuk/vm';
import { SessionManager } from '@chuk/session-manager';
import { banner, short } from './lib/scripted-llm.js';

function vmOf(sm: SessionManager): MemoryManager {
  if (sm.vm === null) throw new Error('VM not enabled');
  return sm.vm;
}

banner('A VM-enabled session');
const sm = new SessionManager({
  enableVm: true,
  infiniteContext: true,
  maxTurnsPerSegment: 4,
  systemPrompt: 'You are a travel assistant.',
  summaryCallback: async (messages) => `Planned a trip: ${messages.length} messages about Kyoto temples and rail passes.`,
});
await sm.userSays('I am planning a week in Kyoto. Which temples should I see?');
await sm.aiResponds('Kinkaku-ji, Fushimi Inari and Kiyomizu-dera are the classics.', { model: 'gpt-4o-mini' });
await sm.toolUsed('rail_pass_price', { days: 7 }, { price_jpy: 50000 });
await sm.userSays('Is the 7-day rail pass worth it?');
const vm = vmOf(sm);
for (const page of await vm.getL0Pages()) console.log(`  L0 ${page.pageId.padEnd(22)} ${page.pageType.padEnd(10)} ${short(String(page.content), 50)}`);
const context = await sm.getVmContext();
console.log(`  developer message: ${context?.developerMessage.length} chars, tools: ${context?.tools.length}, manifest pages: ${context?.manifest?.working_set.length ?? 0}`);

banner('Segmentation hook');
const before = (await vm.getL0Pages()).length;
const oldId = sm.sessionId;
await sm.aiResponds('For Kyoto alone it is not; for a Tokyo–Kyoto–Hiroshima loop it is.', { model: 'gpt-4o-mini' });
const newId = await sm.userSays('Great, what about food?');
const after = await vm.getL0Pages();
console.log(`  segment ${oldId.slice(0, 8)} → ${newId.slice(0, 8)}; VM session id follows: ${vm.sessionId === newId}`);
console.log(`  L0 pages before rollover: ${before}, after: ${after.length}`);
const summary = after.find((p) => p.pageType === 'summary');
console.log(`  pinned summary page ${summary?.pageId}: ${vm.workingSet.isPinned(summary?.pageId ?? '')} — "${short(String(summary?.content), 60)}"`);
const byTier = new Map<string, number>();
for (const tier of Object.values(StorageTier)) byTier.set(tier, vm.pageTable.getByTier(tier).length);
console.log(`  pages by tier: ${[...byTier].map(([t, n]) => `${t}=${n}`).join(' ')}`);

banner('Faulting an evicted turn back in');
const hit = await sm.handleVmToolCall('search_pages', { query: 'temples' });
console.log(`  search_pages → ${short(hit.content, 100)}`);
const evicted = vm.pageTable.getByTier(StorageTier.L2)[0];
if (evicted !== undefined) {
  const fault = await sm.handleVmToolCall('page_fault', { page_id: evicted.pageId });
  console.log(`  page_fault ${evicted.pageId} → handled ${fault.handled}, ${short(fault.content, 80)}`);
}
const stats = await vm.getMetrics();
console.log(`  VM metrics: faults ${stats.faultsTotal}, evictions ${stats.evictionsTotal}`);

banner('A custom eviction policy');
const lru = new SessionManager({ enableVm: true, vm: { evictionPolicy: new LRUEvictionPolicy(), config: { maxL0Tokens: 60, reservedTokens: 0 } } });
for (let i = 0; i < 10; i++) await lru.userSays(`Message ${i}: a few words to fill the small window quickly.`);
const lruVm = vmOf(lru);
const ws = lruVm.workingSet.getStats();
const lruMetrics = await lruVm.getMetrics();
console.log(`  a 60-token window holds ${ws.l0Pages} of 10 pages (${ws.tokensUsed} tokens; compressed first, then evicted: ${lruMetrics.evictionsTotal})`);
console.log(`  chat messages sent to the LLM: ${(await lru.getMessagesForLlm()).length - 1} (evicted turns leave the prompt)`);
