/**
 * Types of the scripted fidelity conversation (../../../shared/bench/fidelity.md): ordinary W2 filler
 * turns with facts planted at known turns, each fact carrying the probe that must find it again.
 */

export const FactKind = {
  UserFact: 'user_fact',
  Decision: 'decision',
  ToolResult: 'tool_result',
  PathOrCommand: 'path_or_command',
  Pinned: 'pinned',
  Correction: 'correction',
} as const;
export type FactKind = (typeof FactKind)[keyof typeof FactKind];

/** Planting order: fact k has kind FACT_KIND_CYCLE[k % 6], so every kind is spread over the whole run. */
export const FACT_KIND_CYCLE: readonly FactKind[] = [
  FactKind.UserFact,
  FactKind.Decision,
  FactKind.ToolResult,
  FactKind.PathOrCommand,
  FactKind.Pinned,
  FactKind.Correction,
];

export const TurnRole = { User: 'user', Assistant: 'assistant', Tool: 'tool' } as const;
export type TurnRole = (typeof TurnRole)[keyof typeof TurnRole];

export interface ToolCallTurn {
  name: string;
  args: Readonly<Record<string, string>>;
  result: Readonly<Record<string, string>>;
}

export interface Turn {
  index: number;
  role: TurnRole;
  /** the message text; for a tool turn, the rendering `name(<JSON args>) -> <JSON result>` */
  content: string;
  /** present on tool turns: what `toolUsed(name, args, result)` records */
  tool?: ToolCallTurn;
  /** the fact this turn plants (or corrects) */
  factId?: string;
  /** the caller pins the page of this turn explicitly (pinned facts) */
  pin?: boolean;
}

export interface Fact {
  id: string;
  kind: FactKind;
  /** index of the turn that states the fact (for a correction: the stale statement) */
  turn: number;
  /** for a correction: the turn that states the corrected value */
  correctedAt?: number;
  /** the probe question, asked as a user turn at the end */
  question: string;
  /** what a model would pass to `search_pages` to find the fact */
  keywords: string;
  /** the exact string that must be reachable (for a correction: the corrected value) */
  answer: string;
  /** for a correction: the superseded value that must not be offered alone */
  stale?: string;
}

export interface Conversation {
  seed: number;
  turns: readonly Turn[];
  facts: readonly Fact[];
}

export interface ConversationSize {
  turns: number;
  facts: number;
}

export const STANDARD_SIZE: ConversationSize = { turns: 400, facts: 40 };
export const LONG_SIZE: ConversationSize = { turns: 4000, facts: 200 };
export const REGRESSION_SIZE: ConversationSize = { turns: 80, facts: 8 };

/** Renders a tool call the way a chat transcript shows it. */
export function renderToolCall(tool: ToolCallTurn): string {
  return `${tool.name}(${JSON.stringify(tool.args)}) -> ${JSON.stringify(tool.result)}`;
}
