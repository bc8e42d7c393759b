/** 05 — monitoring: 12 simulated sessions over 4 use cases and an "AI Usage Report" from their stats. */
import { InMemorySessionStore } from '@chuk/models';
import type { SessionManagerStats } from '@chuk/session-manager';
import { SessionManager } from '@chuk/session-manager';

const store = new InMemorySessionStore();
const useCases = [
  { name: 'customer support', model: 'gpt-4o', turns: 3 },
  { name: 'code review', model: 'gpt-4o-mini', turns: 4 },
  { name: 'legal drafting', model: 'gpt-4', turns: 2 },
  { name: 'research', model: 'gpt-4o', turns: 5 },
];

const results: { useCase: string; stats: SessionManagerStats }[] = [];
for (const useCase of useCases) {
  for (let n = 0; n < 3; n++) {
    const sm = new SessionManager({ store, metadata: { use_case: useCase.name } });
    for (let t = 0; t < useCase.turns + n; t++) {
      await sm.userSays(`(${useCase.name}) question ${t + 1}: please look at item ${t} and explain the details.`);
      await sm.aiResponds(`Here is a detailed answer about item ${t} for ${useCase.name}, with the reasoning step by step.`, {
        model: useCase.model,
        provider: 'openai',
      });
    }
    results.push({ useCase: useCase.name, stats: await sm.getStats() });
  }
}

const totalCost = results.reduce((sum, r) => sum + r.stats.estimatedCost, 0);
const totalTokens = results.reduce((sum, r) => sum + r.stats.totalTokens, 0);
console.log('AI Usage Report');
console.log(`  date: ${new Date().toISOString().slice(0, 10)}`);
console.log(`  sessions: ${results.length}, total tokens: ${totalTokens}, total cost: $${totalCost.toFixed(6)}`);
const rows = useCases.map((u) => {
  const mine = results.filter((r) => r.useCase === u.name);
  const cost = mine.reduce((s, r) => s + r.stats.estimatedCost, 0);
  const tokens = mine.reduce((s, r) => s + r.stats.totalTokens, 0);
  return { name: u.name, model: u.model, sessions: mine.length, cost, tokens };
});
for (const row of rows) {
  console.log(
    `  ${row.name.padEnd(16)} ${row.model.padEnd(12)} sessions ${row.sessions}  total $${row.cost.toFixed(6)}  avg $${(row.cost / row.sessions).toFixed(6)}  avg tokens ${Math.round(row.tokens / row.sessions)}`,
  );
}
const byCost = [...rows].sort((a, b) => b.cost - a.cost)[0];
const byVolume = [...rows].sort((a, b) => b.tokens - a.tokens)[0];
console.log(`  highest cost: ${byCost?.name}; highest volume: ${byVolume?.name}`);
console.log(`  store holds ${(await store.getStats()).sessions} sessions`);
