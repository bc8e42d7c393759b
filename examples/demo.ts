/**
 * `pnpm demo` — the chuk facade in one screen: tracking and cost, infinite context, VM paging and
 * tool guards. Offline and deterministic (scripted model, in-memory store); no Redis or S3 needed.
 */
import type { MemoryManager } from '@chuk/vm';
import { LRUEvictionPolicy, StorageTier } from '@chuk/vm';
import { SessionAwareToolProcessor, ToolRegistry, ToolStateManager } from '@chuk/tools';
import { SessionManager } from '@chuk/session-manager';
import { short } from './lib/scripted-llm.js';

const line = (title: string): void => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 66 - title.length))}`);

line('1. Tracking and cost');
const sm = new SessionManager({ systemPrompt: 'You are a helpful travel assistant.' });
await sm.userSays('Plan a day in Lisbon for me.');
await sm.aiResponds('Morning in Alfama, lunch in Baixa, sunset at Belém.', {
  model: 'gpt-4o',
  provider: 'openai',
  usage: { inputTokens: 412, outputTokens: 18, cachedInputTokens: 256 },
});
await sm.toolUsed('weather', { city: 'Lisbon' }, { forecast: 'sunny', high_c: 24 });
await sm.userSays('And the cheapest way to get there from the airport?');
await sm.aiResponds('The metro red line: about 25 minutes, under two euros.', { model: 'gpt-4o-mini', provider: 'openai' });
const stats = await sm.getStats();
console.log(`${stats.totalEvents} events (${stats.userMessages} user, ${stats.aiMessages} assistant, ${stats.toolCalls} tool) · ${stats.totalTokens} tokens · $${stats.estimatedCost.toFixed(6)} · counter ${stats.tokenCounter}`);
for (const [model, u] of Object.entries(stats.usageByModel)) {
  console.log(`  ${model.padEnd(12)} ${String(u.promptTokens).padStart(4)} in (${u.cachedInputTokens} cached) ${String(u.completionTokens).padStart(3)} out  $${u.estimatedCostUsd.toFixed(6)}`);
}

line('2. Infinite context');
const inf = new SessionManager({
  infiniteContext: true,
  maxTurnsPerSegment: 2,
  summaryCallback: async (messages) => `Talked about ${messages.filter((m) => m.role === 'user').map((m) => short(m.content, 24)).join(', ')}.`,
});
for (const q of ['What is the tallest mountain?', 'And the deepest ocean trench?', 'Which desert is largest?']) {
  await inf.userSays(q);
  await inf.aiResponds(`Answer to: ${q}`, { model: 'gpt-4o-mini' });
}
const chain = await inf.getSessionChain();
console.log(`${chain.length} segments: ${chain.map((id) => id.slice(0, 8)).join(' → ')}`);
console.log(`the LLM still sees: ${short((await inf.getMessagesForLlm())[0]?.content ?? '', 100)}`);

line('3. Virtual memory paging');
const vmManager = new SessionManager({ enableVm: true, vm: { config: { maxL0Tokens: 50, reservedTokens: 0 }, evictionPolicy: new LRUEvictionPolicy() } });
const facts = ['My passport number ends in 4417.', 'I am allergic to peanuts.', 'My hotel is the Pestana Palace.', 'My flight leaves at 18:40.', 'I prefer window seats.', 'My budget is 150 euros a day.'];
for (const fact of facts) await vmManager.userSays(`${fact} Please remember that for the whole trip.`);
const vm = vmManager.vm as MemoryManager;
const l2 = vm.pageTable.getByTier(StorageTier.L2);
console.log(`6 facts; L0 holds ${(await vm.getL0Pages()).length} pages (compressed first), ${l2.length} evicted to L2; the prompt carries ${(await vmManager.getMessagesForLlm()).length - 1} chat turns`);
const found = await vmManager.handleVmToolCall('search_pages', { query: 'peanuts' });
const pageId = (JSON.parse(found.content) as { results: { page_id: string }[] }).results[0]?.page_id ?? '';
const fault = await vmManager.handleVmToolCall('page_fault', { page_id: pageId });
console.log(`model calls search_pages("peanuts") → ${pageId}; page_fault → handled ${fault.handled}, page now in ${vm.pageTable.lookup(pageId)?.tier ?? '?'}`);

line('4. Tool guards (every call logged in the session)');
const tools = new SessionManager();
const registry = new ToolRegistry();
registry.register({
  name: 'get_weather',
  idempotent: true,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  execute: (args: Record<string, unknown>) => ({ city: args.city, high_c: 20 + String(args.city).length }),
});
const processor = new SessionAwareToolProcessor({
  sink: tools,
  registry,
  toolState: new ToolStateManager({ limits: { tool_budget_total: 3, execution_budget: 3 } }),
  internalTools: tools.handleVmToolCall,
  tokenModel: 'gpt-4o-mini',
});
const cities = ['Lisbon', 'Porto', 'Lisbon', 'Faro', 'Braga', 'Coimbra'];
await tools.userSays(`Weather in ${cities.join(', ')}?`);
const outcome = await processor.processLlmMessageDetailed({
  role: 'assistant',
  content: null,
  tool_calls: cities.map((city, i) => ({ id: `call_${i}`, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city }) } })),
});
for (const r of outcome.results) {
  const city = (typeof r.arguments?.city === 'string' ? r.arguments.city : '?').padEnd(7);
  const shown = r.error === null ? `✓ ${JSON.stringify(r.result)}${r.cached ? ' (cached)' : ''}` : `✗ ${short(r.error.replace(/\s+/g, ' '), 64)}`;
  console.log(`  get_weather(${city}) ${shown}`);
}
const toolStats = await tools.getStats();
console.log(`in the session: ${toolStats.toolCalls} tool events, ${toolStats.aiMessages} assistant message, ${toolStats.totalEvents} events in all`);
