/**
 * Not a test: µs per `SessionEvent.fromWire` for the wire events a store reads back.
 * Run: node --conditions=@chuk/source --import tsx packages/models/test/measure-event-decode.ts
 */
import { SessionEvent, TokenUsage } from '../src/index.js';
import { EventSource, EventType } from '../src/enums/index.js';
import { eventFromWireSchema } from '../src/session/event.js';

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
const withUsage = parsed.filter((_, i) => i % 2 === 0);
const toolCalls = parsed.filter((_, i) => i % 3 === 0);

/** Best µs per event over ROUNDS rounds. */
function measure(events: readonly unknown[], decode: (raw: unknown) => unknown): string {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    for (const raw of events) decode(raw);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1000 / events.length);
  }
  return best.toFixed(2);
}

for (const [name, events] of [['mixed', parsed], ['with token usage', withUsage], ['tool calls', toolCalls]] as const) {
  console.log(
    `${name}: fromWire ${measure(events, (raw) => SessionEvent.fromWire(raw))} µs/event, ` +
      `schema path ${measure(events, (raw) => eventFromWireSchema(raw))} µs/event`,
  );
}
console.log(`JSON.parse of the same lines: ${measure(lines, (line) => JSON.parse(line as string))} µs/event`);
