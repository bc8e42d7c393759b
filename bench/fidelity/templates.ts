/**
 * Fact templates, one list per kind. Every template produces the sentence that plants the fact, the
 * probe (question, search key words, exact answer) and, for corrections, the sentence that corrects it.
 * Values come from a seeded minstd stream, so the same seed gives the same facts.
 */
import { TextGenerator } from '../lib/text.js';
import { FactKind } from './conversation.js';

const ADJECTIVES = [
  'Amber', 'Basalt', 'Cobalt', 'Dune', 'Ember', 'Fjord', 'Granite', 'Harbor', 'Indigo', 'Juniper',
  'Kestrel', 'Lumen', 'Meridian', 'Nimbus', 'Onyx', 'Prairie', 'Quartz', 'Riverside', 'Saffron', 'Tundra',
];
const NOUNS = [
  'Falcon', 'Otter', 'Lynx', 'Heron', 'Badger', 'Marten', 'Condor', 'Bison', 'Puffin', 'Gecko',
  'Ibex', 'Jackal', 'Koala', 'Lemur', 'Mantis', 'Newt', 'Oriole', 'Pelican', 'Quokka', 'Raven',
];
const FIRST_NAMES = [
  'Marisol', 'Tobias', 'Ingrid', 'Kwame', 'Yuki', 'Anselm', 'Priya', 'Dorian', 'Ottilie', 'Rafael',
  'Sunniva', 'Emeka', 'Lucinda', 'Viktor', 'Haruto', 'Beatriz',
];
const LAST_NAMES = [
  'Okafor', 'Lindqvist', 'Castellanos', 'Nakamura', 'Abernathy', 'Moreau', 'Kowalczyk', 'Ferreira',
  'Haugland', 'Achebe', 'Delacroix', 'Szabo', 'Varga', 'Ishikawa', 'Oyelaran', 'Brennan',
];
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'];

export class ValueSource {
  private readonly rng: TextGenerator;

  constructor(seed: number) {
    this.rng = new TextGenerator(seed);
  }

  int(min: number, max: number): number {
    return min + (this.rng.next() % (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.rng.next() % items.length] as T;
  }

  digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(this.rng.next() % 10);
    return out;
  }

  person(): string {
    return `${this.pick(FIRST_NAMES)} ${this.pick(LAST_NAMES)}`;
  }
}

const NOUN_STRIDE = 7;

/** Two-word codenames (`Amber Falcon`), 400 distinct ones, each used by one fact only. */
export function entityName(index: number): string {
  const a = index % ADJECTIVES.length;
  const b = Math.floor(index / ADJECTIVES.length);
  // for a fixed adjective the noun index walks all nouns as b grows, so every pair is distinct
  const adjective = ADJECTIVES[a] as string;
  const noun = NOUNS[(a * NOUN_STRIDE + b) % NOUNS.length] as string;
  return `${adjective} ${noun}`;
}

export const MAX_ENTITIES = ADJECTIVES.length * NOUNS.length;

export function slugOf(entity: string): string {
  return entity.toLowerCase().replace(/\s+/g, '-');
}

export interface PlantedFact {
  /** the sentence that states the fact (for corrections: the stale value) */
  sentence: string;
  question: string;
  keywords: string;
  answer: string;
  /** corrections only */
  stale?: string;
  correction?: string;
  /** tool results only */
  tool?: { name: string; args: Record<string, string>; result: Record<string, string> };
}

type Template = (entity: string, values: ValueSource) => PlantedFact;

function money(values: ValueSource): string {
  return `${values.int(1, 9)},${values.digits(3)}.${values.digits(2)}`;
}

const USER_FACTS: Template[] = [
  (e, v) => {
    const answer = `${v.digits(4)}-${v.digits(4)}-${v.digits(4)}`;
    return { sentence: `My ${e} account number is ${answer}.`, question: `What is my ${e} account number?`, keywords: `${e} account number`, answer };
  },
  (e, v) => {
    const answer = v.person();
    return { sentence: `The ${e} contact person is ${answer}.`, question: `Who is the ${e} contact person?`, keywords: `${e} contact person`, answer };
  },
  (e, v) => {
    const answer = `20${v.int(27, 39)}-${String(v.int(1, 12)).padStart(2, '0')}-${String(v.int(10, 28))}`;
    return { sentence: `The ${e} contract renewal date is ${answer}.`, question: `When is the ${e} contract renewal date?`, keywords: `${e} contract renewal`, answer };
  },
];

const DECISIONS: Template[] = [
  (e, v) => {
    const answer = `JWT with ${v.int(5, 95)}-minute expiry`;
    return { sentence: `Decision for ${e}: use ${answer}.`, question: `What did we decide for ${e}?`, keywords: `Decision for ${e}`, answer };
  },
  (e, v) => {
    const answer = `PostgreSQL ${v.int(13, 17)} with ${v.int(2, 9)} read replicas`;
    return { sentence: `Decision for ${e}: store the events in ${answer}.`, question: `What did we decide for ${e}?`, keywords: `Decision for ${e}`, answer };
  },
  (e, v) => {
    const answer = `${v.int(3, 12)} retries with a ${v.int(11, 99)}-second backoff`;
    return { sentence: `Decision for ${e}: failed uploads get ${answer}.`, question: `What did we decide for ${e}?`, keywords: `Decision for ${e}`, answer };
  },
];

const TOOL_RESULTS: Template[] = [
  (e, v) => {
    const invoice = `INV-${v.digits(5)}`;
    const answer = money(v);
    return {
      sentence: '',
      question: `What was the total of invoice ${invoice}?`,
      keywords: invoice,
      answer,
      tool: { name: 'lookup_invoice', args: { invoice }, result: { invoice, total: answer, currency: v.pick(CURRENCIES), customer: e } },
    };
  },
  (e, v) => {
    const answer = `${v.int(101, 989)}.${v.digits(1)} ms`;
    return {
      sentence: '',
      question: `What p99 latency did the measurement report for ${e}?`,
      keywords: e,
      answer,
      tool: { name: 'measure_latency', args: { service: e }, result: { service: e, p99: answer, samples: String(v.int(1000, 9000)) } },
    };
  },
  (e, v) => {
    const table = `${slugOf(e).replace('-', '_')}_orders`;
    const answer = `${v.int(1, 9)},${v.digits(3)},${v.digits(3)} rows`;
    return {
      sentence: '',
      question: `How many rows does the ${table} table hold?`,
      keywords: table,
      answer,
      tool: { name: 'count_rows', args: { table }, result: { table, count: answer } },
    };
  },
];

const PATHS_AND_COMMANDS: Template[] = [
  (e) => {
    const answer = `src/${slugOf(e)}/session.ts`;
    return { sentence: `The ${e} session handling lives in ${answer}.`, question: `Which file holds the ${e} session handling?`, keywords: `${e} session handling`, answer };
  },
  (e, v) => {
    const answer = `pnpm --filter @acme/${slugOf(e)} reindex --shard ${v.int(2, 64)}`;
    return { sentence: `To rebuild the ${e} search index run ${answer}.`, question: `Which command rebuilds the ${e} search index?`, keywords: `${e} search index`, answer };
  },
  (e, v) => {
    const answer = `deploy/${slugOf(e)}/values-${v.digits(3)}.yaml`;
    return { sentence: `The ${e} deploy config is at ${answer}.`, question: `Where is the ${e} deploy config?`, keywords: `${e} deploy config`, answer };
  },
];

const PINNED: Template[] = [
  (e, v) => {
    const answer = `under ${v.int(11, 499)} MB per export`;
    return { sentence: `Constraint for ${e}: files must stay ${answer}.`, question: `What is the constraint for ${e}?`, keywords: `Constraint for ${e}`, answer };
  },
  (e, v) => {
    const answer = `at most ${v.int(3, 97)} parallel workers`;
    return { sentence: `Constraint for ${e}: run ${answer}.`, question: `What is the constraint for ${e}?`, keywords: `Constraint for ${e}`, answer };
  },
];

const CORRECTIONS: Template[] = [
  (e, v) => {
    const stale = String(v.int(20000, 39999));
    const answer = String(v.int(40000, 59999));
    return {
      sentence: `The ${e} staging port is ${stale}.`,
      correction: `Correction: the ${e} staging port is ${answer} now.`,
      question: `What is the ${e} staging port?`,
      keywords: `${e} staging port`,
      answer,
      stale,
    };
  },
  (e, v) => {
    const stale = v.person();
    let answer = v.person();
    while (answer === stale) answer = v.person();
    return {
      sentence: `The ${e} budget owner is ${stale}.`,
      correction: `Correction: the ${e} budget owner is ${answer} from now on.`,
      question: `Who is the ${e} budget owner?`,
      keywords: `${e} budget owner`,
      answer,
      stale,
    };
  },
  (e, v) => {
    const stale = `${String(v.int(0, 11)).padStart(2, '0')}:${v.pick(['05', '15', '25'])} UTC`;
    const answer = `${String(v.int(12, 23))}:${v.pick(['35', '45', '55'])} UTC`;
    return {
      sentence: `The ${e} backup window starts at ${stale}.`,
      correction: `Correction: the ${e} backup window starts at ${answer} instead.`,
      question: `When does the ${e} backup window start?`,
      keywords: `${e} backup window`,
      answer,
      stale,
    };
  },
];

export const TEMPLATES: Readonly<Record<FactKind, readonly Template[]>> = {
  [FactKind.UserFact]: USER_FACTS,
  [FactKind.Decision]: DECISIONS,
  [FactKind.ToolResult]: TOOL_RESULTS,
  [FactKind.PathOrCommand]: PATHS_AND_COMMANDS,
  [FactKind.Pinned]: PINNED,
  [FactKind.Correction]: CORRECTIONS,
};
