/**
 * Virtual memory for the context window, end to end: a long conversation under a small token budget.
 * Pages are compressed before they are evicted, a pinned decision survives, a tool call and its result move
 * together, a recall question pages old context back in before the model call, and the model faults a page
 * through the `page_fault` tool. Offline and deterministic.
 *
 *   pnpm exec tsx --conditions=@chuk/source examples/vm-paging.ts
 */
import { MemoryManager, MutationType, VmImportance, type PageMutation } from '@chuk/vm';

const TOPICS = ['database schema', 'deployment pipeline', 'pricing page', 'search ranking', 'onboarding emails'];
const TURNS = 40;

let tick = Date.parse('2026-01-01T09:00:00Z');
const vm = new MemoryManager({
  sessionId: 'demo-session',
  config: { maxL0Tokens: 2_400, reservedTokens: 400 },
  clock: () => new Date((tick += 1000)),
});

function sentenceBlock(topic: string, turn: number, who: string): string {
  return Array.from({ length: 6 }, (_, i) => `${who} note ${i} on the ${topic} in turn ${turn}: we weigh options, costs and risks carefully.`).join(' ');
}

function describe(m: PageMutation): string {
  return `turn ${String(m.turn).padStart(2)}  ${m.mutationType.padEnd(8)} ${m.pageId.padEnd(14)} ${m.tierBefore ?? '--'} -> ${m.tierAfter}  (${m.cause ?? ''})`;
}

async function main(): Promise<void> {
  const decision = await vm.createPage('Decision: the database schema uses PostgreSQL with one table per tenant.', {
    pageId: 'claim_db',
    pageType: 'claim',
    importance: 0.9,
    hint: 'decision: database schema uses PostgreSQL',
  });
  await vm.addToWorkingSet(decision);
  await vm.pinPage(decision.pageId);

  for (let turn = 0; turn < TURNS; turn++) {
    const topic = TOPICS[turn % TOPICS.length] as string;
    await vm.newTurn();
    await vm.demandPrePass(`Let us continue with the ${topic}.`);
    const user = await vm.createPage(sentenceBlock(topic, turn, 'User'), {
      pageId: `msg_u${String(turn).padStart(2, '0')}`,
      role: 'user',
      importance: VmImportance.User,
      hint: `[user] ${topic} (turn ${turn})`,
    });
    await vm.addToWorkingSet(user);
    if (turn % 10 === 5) {
      // A tool call and its result share a group: they are evicted, compressed, packed and faulted together.
      const group = `tool_${turn}`;
      await vm.createPage(`search_docs({"q": "${topic}"})`, { pageId: `call_${turn}`, role: 'assistant', groupId: group, pageType: 'artifact' });
      await vm.createPage(`3 documents found about ${topic}.`, { pageId: `result_${turn}`, role: 'tool', groupId: group, pageType: 'artifact', importance: VmImportance.Tool });
      await vm.addToWorkingSet(`call_${turn}`);
      await vm.addToWorkingSet(`result_${turn}`);
    }
    const ai = await vm.createPage(sentenceBlock(topic, turn, 'Assistant'), {
      pageId: `msg_a${String(turn).padStart(2, '0')}`,
      role: 'assistant',
      importance: VmImportance.Ai,
      hint: `[assistant] ${topic} (turn ${turn})`,
    });
    await vm.addToWorkingSet(ai);
  }

  const log = vm.mutationLog;
  const compressed = log.getMutationsByType(MutationType.Compress);
  const evicted = log.getMutationsByType(MutationType.Evict);
  console.log(`# ${TURNS} turns, L0 budget 2,000 usable tokens`);
  console.log(`compressed ${compressed.length} times, evicted ${evicted.length} pages; first ones:`);
  for (const m of [...compressed.slice(0, 3), ...evicted.slice(0, 3)]) console.log(`  ${describe(m)}`);

  await vm.newTurn();
  const question = 'What did we decide earlier about the database schema?';
  const prefetched = await vm.demandPrePass(question);
  console.log(`\nuser asks: "${question}"`);
  console.log(`demand pre-pass paged in before the model call: ${prefetched.join(', ') || '(nothing: already mapped)'}`);
  console.log(`pinned decision still mapped: ${vm.workingSet.isInL0('claim_db')}`);

  // The model looks for an older turn that is not mapped, then faults it in at full detail.
  const search = await vm.handleToolCall('search_pages', { query: '[assistant] deployment pipeline', limit: 10 });
  const hits = (JSON.parse(search.content) as { results: { page_id: string; tier: string }[] }).results;
  console.log(`search_pages -> ${hits.slice(0, 4).map((h) => `${h.page_id}@${h.tier}`).join(', ')}, ...`);
  const target = hits.find((h) => h.tier !== 'L0')?.page_id ?? 'msg_a01';
  const fault = await vm.handleToolCall('page_fault', { page_id: target, target_level: 0 });
  const envelope = JSON.parse(fault.content) as { page: { page_id: string; tier: string; meta: { source_tier: string } }; effects: { tokens_est: number; evictions: string[] | null } };
  console.log(
    `page_fault(${target}) -> tier ${envelope.page.tier} from ${envelope.page.meta.source_tier}, ${envelope.effects.tokens_est} tokens, evicted to make room: ${(envelope.effects.evictions ?? []).join(', ') || 'none'}`,
  );
  for (const m of log.getMutationsByType(MutationType.FaultIn).slice(-3)) console.log(`  ${describe(m)}`);

  const ctx = await vm.buildContext({ systemPrompt: 'You are a helpful assistant.' });
  const metrics = await vm.getMetrics();
  const stats = await vm.getStats();
  console.log(`\ncontext: ${ctx.packedContext?.pagesIncluded.length ?? 0} pages in VM:CONTEXT, ${ctx.manifest?.available_pages.length ?? 0} listed in the manifest, tools: ${ctx.tools.map((t) => t.function.name).join(', ')}`);
  console.log('final metrics:', {
    pagesByTier: metrics.pagesByTier,
    tokensInWorkingSet: metrics.tokensInWorkingSet,
    tokensAvailable: metrics.tokensAvailable,
    evictionsTotal: metrics.evictionsTotal,
    compressionsTotal: metrics.compressionsTotal,
    tokensSavedByCompression: metrics.tokensSavedByCompression,
    faultsTotal: metrics.faultsTotal,
    tlbHitRate: Number(metrics.tlbHitRate.toFixed(2)),
    mutations: stats.mutationLog.totalMutations,
  });
  if (metrics.tokensInWorkingSet > 2_000) throw new Error('L0 over budget');
}

await main();
