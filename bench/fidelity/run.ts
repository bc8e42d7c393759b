/**
 * `pnpm bench:fidelity [--long] [--model-summariser] [--seed=N]`: the context fidelity benchmark of
 * ../../../shared/bench/fidelity.md. Prints one table (rows: configurations) for the 400-turn run, or
 * the 4,000-turn run with `--long` (also `long` or `4000`). `--model-summariser` uses a real model
 * (OPENAI_API_KEY, optional OPENAI_BASE_URL / OPENAI_MODEL) instead of the deterministic summariser.
 */
import { LONG_SIZE, STANDARD_SIZE, type ConversationSize } from './conversation.js';
import { CONFIGS } from './configs/index.js';
import { PackageUnavailable, type ConfigEnv, type FidelityConfig } from './configs/types.js';
import { generateConversation } from './generator.js';
import { budgetFor, runConfig, transcriptTokens } from './runner.js';
import { DEFAULT_SUMMARY_TOKENS, createDeterministicSummariser, modelSummariserFromEnv } from './summariser.js';
import { formatBreakdown, formatComposition, formatTable, type Row } from './table.js';

const LONG_FLAGS = new Set(['--long', 'long', '4000']);
/** `--seed=N`: seeded ids and clock (`ConfigEnv.seed`), so the run repeats exactly. */
const SEED_FLAG = '--seed=';
const NOT_AVAILABLE = 'n/a (package not available)';

async function loadConfig(load: (() => Promise<FidelityConfig>) | null): Promise<FidelityConfig | null> {
  if (load === null) return null;
  try {
    return await load();
  } catch (error) {
    console.error(`# load failed: ${String(error)}`);
    return null;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const size: ConversationSize = args.some((a) => LONG_FLAGS.has(a)) ? LONG_SIZE : STANDARD_SIZE;
  const conversation = generateConversation(size);
  const budgetTokens = budgetFor(conversation);
  const wantsModel = args.includes('--model-summariser');
  const seedArg = args.find((a) => a.startsWith(SEED_FLAG));
  const seed = seedArg === undefined ? undefined : Number(seedArg.slice(SEED_FLAG.length));
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`${SEED_FLAG}N needs an integer, got ${String(seedArg)}`);
  const model = wantsModel ? modelSummariserFromEnv(process.env, DEFAULT_SUMMARY_TOKENS) : null;
  if (wantsModel && model === null) console.log('# --model-summariser ignored: OPENAI_API_KEY is not set');
  const env: ConfigEnv = {
    conversation,
    budgetTokens,
    summariser: model ?? createDeterministicSummariser(DEFAULT_SUMMARY_TOKENS),
    summaryTokens: DEFAULT_SUMMARY_TOKENS,
    ...(seed === undefined ? {} : { seed }),
  };
  console.log(`# chuk context fidelity — node ${process.version}, ${new Date().toISOString()}`);
  console.log(
    `# ${size.turns} turns, ${size.facts} facts, transcript ${transcriptTokens(conversation)} tokens (o200k_base), ` +
      `context budget ${budgetTokens} tokens, summariser ${model === null ? 'deterministic' : 'model'} (${DEFAULT_SUMMARY_TOKENS} tokens)` +
      (seed === undefined ? '' : `, seed ${seed}`),
  );
  const rows: Row[] = [];
  for (const entry of CONFIGS) {
    const config = await loadConfig(entry.load);
    if (config === null) {
      rows.push({ name: entry.name, unavailable: NOT_AVAILABLE });
      continue;
    }
    try {
      rows.push({ name: entry.name, result: await runConfig(config, env) });
    } catch (error) {
      const reason = error instanceof PackageUnavailable ? NOT_AVAILABLE : `failed: ${String(error)}`;
      rows.push({ name: entry.name, unavailable: reason });
    }
  }
  console.log(formatTable(rows));
  console.log('');
  console.log('# per kind: direct/within one fault/probes');
  for (const row of rows) if ('result' in row) console.log(`# ${formatBreakdown(row.result)}`);
  console.log('# avg tokens per part of the context; time split');
  for (const row of rows) if ('result' in row) console.log(`# ${formatComposition(row.result)}`);
}

await main();
