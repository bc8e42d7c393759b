/**
 * Not a test: µs per `SessionEvent.fromWire` for the wire events a store reads back.
 * Run: node --conditions=@chuk/source --import tsx packages/models/test/measure-event-decode.ts
 */
import { SessionEvent, TokenUsage } from '../src/index.js';
import { EventSource, EventType } from '../src/enums/index.js';

const N = 20_000;
const ROUNDS = 5;

function wireEvents(): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < N; i++) {
    const usage = i % 2 === 0 ? TokenUsage.create({ promptTokens: 10 + i, completionTokens: i % 7, model: 'gpt-4o' }) : null;
    const event = new SessionEvent({
      message: i % 3 === 0 ? { tool: 'search', arguments: { q: `q${i}` }, result: [1, 2], result_text: '[1,2]', error: null, success: true } : `message ${i}`,
      source: i % 2 === 0 ? EventSource.Llm : EventSource.User,
      type: i % 3 === 0 ? EventType.ToolCall : EventType.Message,
      metadata: i % 4 === 0 ? { model: 'gpt-4o' } : {},
      tokenUsage: usage,
    });
    out.push(JSON.stringify(event.toWire()));
  }
  return out;
}

const lines = wireEvents() as string[];
const parsed = lines.map((l) => JSON.parse(l) as unknown);
const results: number[] = [];
const parseOnly: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  let t = process.hrtime.bigint();
  for (const raw of parsed) SessionEvent.fromWire(raw);
  results.push(Number(process.hrtime.bigint() - t) / 1000 / N);
  t = process.hrtime.bigint();
  for (const line of lines) JSON.parse(line);
  parseOnly.push(Number(process.hrtime.bigint() - t) / 1000 / N);
}
const best = (xs: number[]): string => Math.min(...xs).toFixed(2);
console.log(`fromWire: best ${best(results)} µs/event (rounds: ${results.map((x) => x.toFixed(2)).join(' ')})`);
console.log(`JSON.parse: best ${best(parseOnly)} µs/event`);
