import { describe, expect, it } from 'vitest';
import { FACT_KIND_CYCLE, FactKind, LONG_SIZE, REGRESSION_SIZE, STANDARD_SIZE, TurnRole } from '../fidelity/conversation.js';
import { CORRECTION_SLOT_GAP, generateConversation, verifyConversation } from '../fidelity/generator.js';
import { budgetFor, probeOrder, transcriptTokens } from '../fidelity/runner.js';

describe('fidelity conversation generator', () => {
  const standard = generateConversation(STANDARD_SIZE);

  it('repeats exactly for the same seed and differs for another', () => {
    expect(generateConversation(STANDARD_SIZE)).toEqual(standard);
    expect(generateConversation({ ...STANDARD_SIZE, seed: 77 }).facts[0]?.answer).not.toBe(standard.facts[0]?.answer);
  });

  it('writes 400 turns of about 30,000 tokens with 40 facts, one per 10-turn slot', () => {
    expect(standard.turns).toHaveLength(400);
    expect(standard.facts).toHaveLength(40);
    const tokens = transcriptTokens(standard);
    expect(tokens).toBeGreaterThan(24_000);
    expect(tokens).toBeLessThan(34_000);
    expect(budgetFor(standard)).toBe(Math.floor(tokens / 10));
    standard.facts.forEach((fact, k) => {
      expect(Math.floor(fact.turn / 10)).toBe(k);
    });
  });

  it('covers every kind in the planting cycle', () => {
    const kinds = standard.facts.map((f) => f.kind);
    expect(kinds.slice(0, 6)).toEqual(FACT_KIND_CYCLE);
    for (const kind of Object.values(FactKind)) expect(kinds.filter((k) => k === kind).length).toBeGreaterThanOrEqual(6);
  });

  it('plants each kind in the role the table asks for', () => {
    for (const fact of standard.facts) {
      const turn = standard.turns[fact.turn]!;
      expect(turn.factId).toBe(fact.id);
      if (fact.kind === FactKind.Decision) expect(turn.role).toBe(TurnRole.Assistant);
      if (fact.kind === FactKind.ToolResult) {
        expect(turn.role).toBe(TurnRole.Tool);
        expect(JSON.stringify(turn.tool?.result)).toContain(fact.answer);
      }
      if (fact.kind === FactKind.Pinned) expect(turn.pin).toBe(true);
      if (fact.kind === FactKind.UserFact || fact.kind === FactKind.Correction) expect(turn.role).toBe(TurnRole.User);
      // the fact leads its turn, so it sits inside the 120-character hint a page gets
      expect(turn.content.indexOf(fact.stale ?? fact.answer)).toBeLessThan(120);
    }
  });

  it('states a correction later and probes the corrected value', () => {
    const corrections = standard.facts.filter((f) => f.kind === FactKind.Correction);
    expect(corrections.length).toBe(6);
    for (const fact of corrections) {
      expect(fact.correctedAt).toBeGreaterThan(fact.turn);
      expect(fact.correctedAt! - fact.turn).toBeGreaterThanOrEqual(CORRECTION_SLOT_GAP * 10 - 10);
      expect(standard.turns[fact.turn]!.content).toContain(fact.stale);
      expect(standard.turns[fact.correctedAt!]!.content).toContain(`Correction: `);
      expect(standard.turns[fact.correctedAt!]!.content).toContain(fact.answer);
      expect(standard.turns[fact.correctedAt!]!.content).not.toContain(fact.stale);
    }
  });

  it('keeps every answer unique to its own turns and out of every question', () => {
    expect(() => verifyConversation(standard)).not.toThrow();
    const answers = standard.facts.map((f) => f.answer);
    expect(new Set(answers).size).toBe(answers.length);
    const broken = { ...standard, facts: [{ ...standard.facts[0]!, question: `Is it ${standard.facts[0]!.answer}?` }] };
    expect(() => verifyConversation(broken)).toThrow(/question/);
    const leaked = { ...standard, facts: [{ ...standard.facts[0]!, answer: 'the' }] };
    expect(() => verifyConversation(leaked)).toThrow(/also occurs/);
  });

  it('builds the long and regression variants', () => {
    const long = generateConversation(LONG_SIZE);
    expect(long.turns).toHaveLength(4000);
    expect(long.facts).toHaveLength(200);
    const lastCorrection = long.facts.filter((f) => f.kind === FactKind.Correction).at(-1)!;
    expect(lastCorrection.correctedAt).toBeLessThan(4000);
    const small = generateConversation(REGRESSION_SIZE);
    expect(small.facts.map((f) => f.kind)).toContain(FactKind.Correction);
  });

  it('rejects sizes it cannot spread', () => {
    expect(() => generateConversation({ turns: 40, facts: 10 })).toThrow(/turns per fact/);
    expect(() => generateConversation({ turns: 100, facts: 0 })).toThrow(/positive/);
    expect(() => generateConversation({ turns: 100_000, facts: 401 })).toThrow(/at most/);
  });

  it('asks the newest fact first', () => {
    const order = probeOrder(standard).map((f) => f.correctedAt ?? f.turn);
    expect(order).toEqual([...order].sort((a, b) => b - a));
  });
});
