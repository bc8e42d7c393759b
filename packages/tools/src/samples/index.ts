import { z } from 'zod';
import { defaultClock, defaultRandom } from '../common/defaults.js';
import { defaultTimer, sleep } from '../common/timer.js';
import type { Timer } from '../common/timer.js';
import type { ToolDefinition, ToolRegistry } from '../execution/registry.js';

export const WEATHER_DELAY_MS = 100;
export const SEARCH_DELAY_MS = 200;
const DEFAULT_RESULTS = 3;

export interface SampleToolOptions {
  random?: () => number;
  clock?: () => Date;
  /** Simulated latency; `{ weather: 100, search: 200 }` by default, 0 for tests. */
  delayMs?: { weather?: number; search?: number };
  timer?: Timer;
}

const CalculatorInput = z.object({ operation: z.enum(['add', 'subtract', 'multiply', 'divide']), a: z.number(), b: z.number() });
const WeatherInput = z.object({ location: z.string().min(1) });
const SearchInput = z.object({ query: z.string().min(1), max_results: z.number().int().min(1).default(DEFAULT_RESULTS) });

const CONDITIONS = ['Sunny', 'Partly Cloudy', 'Cloudy', 'Light Rain', 'Heavy Rain', 'Snow', 'Thunderstorm', 'Foggy'];
const COLD = ['Snow', 'Cloudy', 'Partly Cloudy'];
const HOT = ['Sunny', 'Partly Cloudy', 'Hot'];
const CLIMATES: Array<[string[], number]> = [
  [['miami', 'phoenix', 'dubai', 'singapore'], 28],
  [['moscow', 'montreal', 'oslo', 'anchorage'], -5],
  [['london', 'seattle', 'vancouver'], 12],
  [['tokyo', 'new york', 'paris', 'berlin'], 18],
];
const BASE_TEMPERATURE = 15;
const FREEZING = 0;
const HOT_THRESHOLD = 30;

/** The three demo tools (calculator, weather, search): deterministic with injected `random` and `clock`, no console output. */
export function createSampleTools(opts: SampleToolOptions = {}): {
  calculatorTool: ToolDefinition<z.infer<typeof CalculatorInput>>;
  weatherTool: ToolDefinition<z.infer<typeof WeatherInput>>;
  searchTool: ToolDefinition<z.infer<typeof SearchInput>>;
} {
  const random = opts.random ?? defaultRandom;
  const clock = opts.clock ?? defaultClock;
  const timer = opts.timer ?? defaultTimer;
  const randint = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return {
    calculatorTool: {
      name: 'calculator',
      description: 'Perform basic arithmetic operations',
      idempotent: true,
      inputSchema: CalculatorInput,
      execute: ({ operation, a, b }) => {
        let result: number;
        if (operation === 'add') result = a + b;
        else if (operation === 'subtract') result = a - b;
        else if (operation === 'multiply') result = a * b;
        else {
          if (b === 0) throw new Error('Cannot divide by zero');
          result = a / b;
        }
        return { operation, a, b, result, timestamp: clock().toISOString() };
      },
    },
    weatherTool: {
      name: 'weather',
      description: 'Get current weather information for a location',
      sideEffect: 'read_only',
      cacheable: false,
      inputSchema: WeatherInput,
      execute: async ({ location }, ctx) => {
        await sleep(timer, opts.delayMs?.weather ?? WEATHER_DELAY_MS, ctx.signal);
        const lower = location.toLowerCase();
        const base = CLIMATES.find(([cities]) => cities.some((c) => lower.includes(c)))?.[1] ?? BASE_TEMPERATURE;
        const temperature = base + randint(-8, 12);
        let condition = pick(CONDITIONS);
        const humidity = randint(35, 85);
        const windSpeed = Math.round((2 + random() * 23) * 10) / 10;
        const feelsLike = temperature + randint(-3, 3);
        if (temperature < FREEZING) condition = pick(COLD);
        else if (temperature > HOT_THRESHOLD) condition = pick(HOT);
        return {
          location,
          temperature,
          condition,
          humidity,
          wind_speed: windSpeed,
          description: `Current weather in ${location} is ${condition.toLowerCase()} with temperature ${temperature}°C`,
          feels_like: feelsLike,
          timestamp: clock().toISOString(),
        };
      },
    },
    searchTool: {
      name: 'search',
      description: 'Search for information on the internet',
      sideEffect: 'read_only',
      inputSchema: SearchInput,
      execute: async ({ query, max_results }, ctx) => {
        await sleep(timer, opts.delayMs?.search ?? SEARCH_DELAY_MS, ctx.signal);
        const lower = query.toLowerCase();
        const slug = lower.trim().replace(/\s+/g, '-');
        const title = query.replace(/\b\p{L}/gu, (c) => c.toUpperCase());
        let results: Array<{ title: string; url: string; snippet: string }>;
        if (lower.includes('climate') || lower.includes('environment')) {
          results = [
            { title: 'Climate Adaptation Strategies', url: 'https://climate.example.com/adaptation', snippet: 'How communities adapt to a changing climate.' },
            { title: 'Resilient Infrastructure', url: 'https://infra.example.org/resilience', snippet: 'Building infrastructure for extreme weather.' },
            { title: 'Nature-Based Solutions', url: 'https://nature.example.net/solutions', snippet: 'Wetlands, forests and coasts as climate defences.' },
          ];
        } else if (lower.includes('weather')) {
          results = [
            { title: 'Weather Forecasts Explained', url: 'https://weather.example.com/forecasts', snippet: 'How forecasts are made.' },
            { title: 'Severe Weather Preparedness', url: 'https://weather.example.org/prepare', snippet: 'Staying safe in storms.' },
          ];
        } else {
          results = [
            { title: `${title} - Overview`, url: `https://www.example.com/${slug}`, snippet: `An overview of ${query}.` },
            { title: `${title} - Latest News`, url: `https://news.example.com/${slug}`, snippet: `Recent developments about ${query}.` },
            { title: `${title} - Guide`, url: `https://guide.example.org/${slug}`, snippet: `A practical guide to ${query}.` },
          ];
        }
        const shown = results.slice(0, max_results);
        return { query, results_count: shown.length, results: shown, timestamp: clock().toISOString() };
      },
    },
  };
}

/** Register the three sample tools in the `default` namespace. */
export function registerSampleTools(registry: ToolRegistry, opts: SampleToolOptions = {}): void {
  const { calculatorTool, weatherTool, searchTool } = createSampleTools(opts);
  registry.register(calculatorTool);
  registry.register(weatherTool);
  registry.register(searchTool);
}
