/**
 * Seeded generator of the fidelity conversation. Filler turns are W2 messages (bench/lib/text.ts,
 * seed 1002 by default, drawn in turn order); fact k is planted in slot k of `turns / facts` turns,
 * at a fixed offset, so facts are spread evenly. A correction states its stale value in its own slot
 * and the corrected value CORRECTION_SLOT_GAP slots later (the last slots correct within the slot).
 */
import { SEED_W2_W4, TextGenerator } from '../lib/text.js';
import {
  FACT_KIND_CYCLE,
  FactKind,
  TurnRole,
  renderToolCall,
  type Conversation,
  type ConversationSize,
  type Fact,
  type Turn,
} from './conversation.js';
import { MAX_ENTITIES, TEMPLATES, ValueSource, entityName, type PlantedFact } from './templates.js';

/** Offset of the planted turn inside its slot, and of a correction inside the slot that corrects. */
const FACT_OFFSET = 2;
const CORRECTION_OFFSET = 6;
const MIN_SLOT_TURNS = 8;
/** How many slots after the stale statement the correction comes. */
export const CORRECTION_SLOT_GAP = 4;
/** The value stream is a second minstd stream, offset from the filler seed. */
const VALUE_SEED_OFFSET = 7919;
const MAX_REDRAWS = 50;

export interface GenerateOptions extends ConversationSize {
  seed?: number;
}

interface PlannedTurn {
  role: TurnRole;
  factId: string;
  text: string;
  tool?: PlantedFact['tool'];
  pin?: boolean;
}

function roleOf(kind: FactKind, occurrence: number): TurnRole {
  switch (kind) {
    case FactKind.Decision:
      return TurnRole.Assistant;
    case FactKind.ToolResult:
      return TurnRole.Tool;
    case FactKind.PathOrCommand:
      return occurrence % 2 === 0 ? TurnRole.User : TurnRole.Assistant;
    default:
      return TurnRole.User;
  }
}

/** Ordinary turns alternate user (even index) and assistant (odd index); a planted turn keeps that parity. */
function placeTurn(slotStart: number, offset: number, role: TurnRole): number {
  const index = slotStart + offset;
  const wantsOdd = role === TurnRole.Assistant;
  if (role === TurnRole.Tool) return index;
  return (index % 2 === 1) === wantsOdd ? index : index + 1;
}

/** Values must never be substrings of one another, so an answer found in a context is that fact's answer. */
class ValueRegistry {
  private readonly values: string[] = [];

  collides(candidate: string): boolean {
    return this.values.some((v) => v.includes(candidate) || candidate.includes(v));
  }

  claim(...values: string[]): void {
    this.values.push(...values);
  }
}

function drawFact(kind: FactKind, index: number, entity: string, values: ValueSource, registry: ValueRegistry): PlantedFact {
  const templates = TEMPLATES[kind];
  const template = templates[Math.floor(index / FACT_KIND_CYCLE.length) % templates.length];
  if (template === undefined) throw new Error(`no template for ${kind}`);
  for (let attempt = 0; attempt < MAX_REDRAWS; attempt++) {
    const planted = template(entity, values);
    const own = planted.stale === undefined ? [planted.answer] : [planted.answer, planted.stale];
    if (own.some((v) => registry.collides(v))) continue;
    registry.claim(...own);
    return planted;
  }
  throw new Error(`could not draw a unique value for fact ${index}`);
}

function validateSize(size: ConversationSize): void {
  if (!Number.isInteger(size.turns) || !Number.isInteger(size.facts) || size.facts < 1) {
    throw new Error('turns and facts must be positive integers');
  }
  if (size.facts > MAX_ENTITIES) throw new Error(`at most ${MAX_ENTITIES} facts`);
  const slot = Math.floor(size.turns / size.facts);
  if (slot < MIN_SLOT_TURNS) throw new Error(`need at least ${MIN_SLOT_TURNS} turns per fact (got ${slot})`);
}

export function generateConversation(options: GenerateOptions): Conversation {
  const seed = options.seed ?? SEED_W2_W4;
  validateSize(options);
  const values = new ValueSource(seed + VALUE_SEED_OFFSET);
  const registry = new ValueRegistry();
  const planned = new Map<number, PlannedTurn>();
  const facts: Fact[] = [];
  const occurrences = new Map<FactKind, number>();

  for (let k = 0; k < options.facts; k++) {
    const kind = FACT_KIND_CYCLE[k % FACT_KIND_CYCLE.length] as FactKind;
    const occurrence = occurrences.get(kind) ?? 0;
    occurrences.set(kind, occurrence + 1);
    const id = `fact_${String(k).padStart(3, '0')}`;
    const planted = drawFact(kind, k, entityName(k), values, registry);
    const role = roleOf(kind, occurrence);
    const slotStart = Math.floor((k * options.turns) / options.facts);
    const turn = placeTurn(slotStart, FACT_OFFSET, role);
    planned.set(turn, { role, factId: id, text: planted.sentence, tool: planted.tool, pin: kind === FactKind.Pinned });
    const fact: Fact = { id, kind, turn, question: planted.question, keywords: planted.keywords, answer: planted.answer };
    if (planted.correction !== undefined && planted.stale !== undefined) {
      const correctionSlot = Math.min(k + CORRECTION_SLOT_GAP, options.facts - 1);
      const correctedAt = placeTurn(Math.floor((correctionSlot * options.turns) / options.facts), CORRECTION_OFFSET, TurnRole.User);
      if (planned.has(correctedAt)) throw new Error(`turn ${correctedAt} is planted twice`);
      planned.set(correctedAt, { role: TurnRole.User, factId: id, text: planted.correction });
      fact.correctedAt = correctedAt;
      fact.stale = planted.stale;
    }
    facts.push(fact);
  }

  const filler = new TextGenerator(seed);
  const turns: Turn[] = [];
  for (let index = 0; index < options.turns; index++) {
    const plan = planned.get(index);
    if (plan?.tool !== undefined) {
      turns.push({ index, role: TurnRole.Tool, content: renderToolCall(plan.tool), tool: plan.tool, factId: plan.factId });
      continue;
    }
    const message = filler.message();
    if (plan === undefined) {
      turns.push({ index, role: index % 2 === 0 ? TurnRole.User : TurnRole.Assistant, content: message });
      continue;
    }
    const turn: Turn = { index, role: plan.role, content: `${plan.text} ${message}`, factId: plan.factId };
    if (plan.pin === true) turn.pin = true;
    turns.push(turn);
  }
  const conversation: Conversation = { seed, turns, facts };
  verifyConversation(conversation);
  return conversation;
}

/**
 * Checks what the scoring relies on: each answer (and stale value) occurs only in the turns of its own
 * fact, and no probe question gives its answer away. Throws on a violation.
 */
export function verifyConversation(conversation: Conversation): void {
  for (const fact of conversation.facts) {
    const own = new Set([fact.turn, fact.correctedAt]);
    for (const value of [fact.answer, fact.stale]) {
      if (value === undefined) continue;
      const elsewhere = conversation.turns.find((t) => !own.has(t.index) && t.content.includes(value));
      if (elsewhere !== undefined) throw new Error(`${fact.id}: "${value}" also occurs in turn ${elsewhere.index}`);
      const question = conversation.facts.find((f) => f.question.includes(value));
      if (question !== undefined) throw new Error(`${fact.id}: "${value}" occurs in the question of ${question.id}`);
    }
    const stated = conversation.turns[fact.correctedAt ?? fact.turn];
    if (stated?.content.includes(fact.answer) !== true) throw new Error(`${fact.id}: answer not planted`);
    if (fact.stale !== undefined && conversation.turns[fact.turn]?.content.includes(fact.stale) !== true) {
      throw new Error(`${fact.id}: stale value not planted`);
    }
  }
}
