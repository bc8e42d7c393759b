/** Heading of the pinned-facts section appended to every summary that has pinned facts. */
export const PINNED_FACTS_HEADING = 'Pinned facts:';

/** Trimmed, non-empty, first occurrence kept, order preserved. */
export function normalizeFacts(facts: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const fact of facts) {
    const trimmed = fact.trim();
    if (trimmed === '' || seen.has(trimmed)) continue;
    seen.add(trimmed);
    out.push(trimmed);
  }
  return out;
}

/** The section listing pinned facts verbatim (`Pinned facts:` then one `- fact` line each). */
export function renderPinnedSection(facts: readonly string[]): string {
  return [PINNED_FACTS_HEADING, ...facts.map((fact) => `- ${fact}`)].join('\n');
}

/** `body` followed by the pinned-facts section (unchanged when there are none). */
export function withPinnedFacts(body: string, facts: readonly string[]): string {
  return facts.length === 0 ? body : `${body}\n\n${renderPinnedSection(facts)}`;
}

/** `text` without its trailing pinned-facts section for exactly `facts` (unchanged when it has none). */
export function stripPinnedFacts(text: string, facts: readonly string[]): string {
  if (facts.length === 0) return text;
  const suffix = `\n\n${renderPinnedSection(facts)}`;
  return text.endsWith(suffix) ? text.slice(0, text.length - suffix.length) : text;
}
