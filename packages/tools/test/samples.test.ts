import { describe, expect, it } from 'vitest';
import { toolCall } from '../src/execution/call.js';
import { ToolExecutor } from '../src/execution/executor.js';
import { ToolRegistry } from '../src/execution/registry.js';
import { createSampleTools, registerSampleTools } from '../src/samples/index.js';

const clock = (): Date => new Date('2025-01-01T00:00:00.000Z');
function setup(random: () => number = () => 0.5) {
  const registry = new ToolRegistry();
  registerSampleTools(registry, { random, clock, delayMs: { weather: 0, search: 0 } });
  return new ToolExecutor({ registry, retry: false });
}
const run = async (ex: ToolExecutor, tool: string, args: Record<string, unknown>) => (await ex.execute([toolCall({ id: 'c', tool, arguments: args })]))[0]!;

describe('sample tools', () => {
  it('calculator operations, divide by zero, unknown operation rejected by validation', async () => {
    const ex = setup();
    expect((await run(ex, 'calculator', { operation: 'add', a: 2, b: 3 })).result).toEqual({ operation: 'add', a: 2, b: 3, result: 5, timestamp: '2025-01-01T00:00:00.000Z' });
    expect((await run(ex, 'calculator', { operation: 'subtract', a: 2, b: 3 })).result).toMatchObject({ result: -1 });
    expect((await run(ex, 'calculator', { operation: 'multiply', a: 2, b: 3 })).result).toMatchObject({ result: 6 });
    expect((await run(ex, 'calculator', { operation: 'divide', a: 3, b: 2 })).result).toMatchObject({ result: 1.5 });
    expect((await run(ex, 'calculator', { operation: 'divide', a: 3, b: 0 })).error).toBe('Cannot divide by zero');
    expect((await run(ex, 'calculator', { operation: 'pow', a: 3, b: 0 })).error_info?.category).toBe('validation');
  });
  it('weather is deterministic with an injected random; cold and hot conditions re-drawn', async () => {
    const w = await run(setup(() => 0.5), 'weather', { location: 'Paris' });
    expect(w.result).toMatchObject({ location: 'Paris', temperature: 20, humidity: 60, wind_speed: 13.5, feels_like: 20, condition: 'Heavy Rain' });
    expect((w.result as { description: string }).description).toBe('Current weather in Paris is heavy rain with temperature 20°C');
    const cold = await run(setup(() => 0), 'weather', { location: 'Oslo' });
    expect(cold.result).toMatchObject({ temperature: -13, condition: 'Snow' });
    const hot = await run(setup(() => 0.99), 'weather', { location: 'Dubai' });
    expect(hot.result).toMatchObject({ temperature: 40, condition: 'Hot' });
    expect((await run(setup(), 'weather', { location: 'Nowhere' })).result).toMatchObject({ temperature: 17 });
  });
  it('search result sets and max_results slicing', async () => {
    const ex = setup();
    expect((await run(ex, 'search', { query: 'climate policy' })).result).toMatchObject({ results_count: 3 });
    expect((await run(ex, 'search', { query: 'weather radar' })).result).toMatchObject({ results_count: 2 });
    const generic = (await run(ex, 'search', { query: 'open source', max_results: 2 })).result as { results: Array<{ title: string; url: string }> };
    expect(generic.results).toHaveLength(2);
    expect(generic.results[0]).toMatchObject({ title: 'Open Source - Overview', url: 'https://www.example.com/open-source' });
  });
  it('default delays use the timer', async () => {
    const tools = createSampleTools();
    expect(tools.weatherTool.name).toBe('weather');
    const registry = new ToolRegistry();
    registerSampleTools(registry, { delayMs: {} , timer: { setTimeout: (fn) => { fn(); return 0; }, clearTimeout: () => undefined } });
    const r = await run(new ToolExecutor({ registry }), 'search', { query: 'x' });
    expect(r.error).toBeNull();
  });
});
