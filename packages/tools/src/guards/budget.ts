import { BudgetKind } from './enums.js';
import { allowResult, blockResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';
import type { ToolClassifier } from './classification.js';
import { DefaultToolClassifier } from './classification.js';
import type { ToolBudgetBranch } from './models.js';

export const BUDGET_GUARD_NAME = 'budget';
const MAX_LISTED_DISCOVERED = 10;

export interface BudgetGuardConfig {
  discoveryBudget: number;
  executionBudget: number;
  totalBudget: number;
}

export const DEFAULT_BUDGET_GUARD_CONFIG: BudgetGuardConfig = { discoveryBudget: 5, executionBudget: 12, totalBudget: 15 };

export interface BudgetGuardState {
  discovery_count: number;
  execution_count: number;
  total_count: number;
  discovered_tools: string[];
}

export interface BudgetGuardStatus {
  discovery: ToolBudgetBranch;
  execution: ToolBudgetBranch;
  total: ToolBudgetBranch;
  discovered_tools: string[];
}

const branch = (used: number, limit: number): ToolBudgetBranch => ({ used, limit, remaining: limit - used });

/** Discovery / execution / total call budgets. Check before a call, `recordCall` after it. */
export class BudgetGuard implements Guard {
  readonly name = BUDGET_GUARD_NAME;
  config: BudgetGuardConfig;
  private discoveryCount = 0;
  private executionCount = 0;
  private totalCount = 0;
  private readonly discovered = new Set<string>();

  constructor(
    config: Partial<BudgetGuardConfig> = {},
    readonly classifier: ToolClassifier = new DefaultToolClassifier(),
  ) {
    this.config = { ...DEFAULT_BUDGET_GUARD_CONFIG, ...config };
  }

  check(toolName: string): GuardResult {
    const { discoveryBudget, executionBudget, totalBudget } = this.config;
    if (this.classifier.isDiscovery(toolName)) {
      if (this.discoveryCount >= discoveryBudget) {
        return blockResult(this.name, this.discoveryMessage(), {
          budget_type: BudgetKind.Discovery,
          count: this.discoveryCount,
          limit: discoveryBudget,
        });
      }
    } else if (this.executionCount >= executionBudget) {
      return blockResult(
        this.name,
        `**Execution budget exhausted** (${this.executionCount}/${executionBudget}). No more tool executions are allowed; give the final answer from the values already computed.`,
        { budget_type: BudgetKind.Execution, count: this.executionCount, limit: executionBudget },
      );
    }
    if (this.totalCount >= totalBudget) {
      return blockResult(
        this.name,
        `**Tool budget exhausted** (${this.totalCount}/${totalBudget}). Answer now with what you have and request no more tool calls.`,
        { budget_type: BudgetKind.Total, count: this.totalCount, limit: totalBudget },
      );
    }
    return allowResult(this.name);
  }

  private discoveryMessage(): string {
    const head = `**Discovery budget exhausted** (${this.discoveryCount}/${this.config.discoveryBudget}). No more search/list/schema calls are allowed.`;
    if (this.discovered.size === 0) return `${head} No tools were discovered; answer without tools.`;
    const names = [...this.discovered].sort().slice(0, MAX_LISTED_DISCOVERED);
    return `${head} Discovered tools: ${names.join(', ')}. Call them directly.`;
  }

  recordCall(toolName: string): void {
    if (this.classifier.isDiscovery(toolName)) this.discoveryCount++;
    else this.executionCount++;
    this.totalCount++;
  }

  registerDiscoveredTool(name: string): void {
    this.discovered.add(name);
  }

  get discoveredTools(): ReadonlySet<string> {
    return this.discovered;
  }

  getStatus(): BudgetGuardStatus {
    const { discoveryBudget, executionBudget, totalBudget } = this.config;
    return {
      discovery: branch(this.discoveryCount, discoveryBudget),
      execution: branch(this.executionCount, executionBudget),
      total: branch(this.totalCount, totalBudget),
      discovered_tools: [...this.discovered].sort(),
    };
  }

  reset(): void {
    this.discoveryCount = 0;
    this.executionCount = 0;
    this.totalCount = 0;
    this.discovered.clear();
  }

  toJSON(): BudgetGuardState {
    return {
      discovery_count: this.discoveryCount,
      execution_count: this.executionCount,
      total_count: this.totalCount,
      discovered_tools: [...this.discovered],
    };
  }

  restore(state: BudgetGuardState): void {
    this.discoveryCount = state.discovery_count;
    this.executionCount = state.execution_count;
    this.totalCount = state.total_count;
    this.discovered.clear();
    for (const t of state.discovered_tools) this.discovered.add(t);
  }
}
