import { isPlainObject } from '../common/json.js';
import { EnforcementLevel } from './enums.js';
import { allowResult, blockResult, warnResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';

export const UNRESOLVED_GUARD_NAME = 'unresolved_reference';
const MAX_LISTED = 5;

/** `${…}`, `$name`, `{{…}}`, `<UPPER_CASE>` (CTP defaults). */
export const DEFAULT_PLACEHOLDER_PATTERNS: readonly RegExp[] = [/\$\{[^}]+\}/g, /\$[a-zA-Z_][a-zA-Z0-9_]*/g, /\{\{[^}]+\}\}/g, /<[A-Z_]+>/g];

export interface UnresolvedReferenceGuardConfig {
  mode: EnforcementLevel;
  graceCalls: number;
  patterns: readonly RegExp[];
  /** Exempts known literals (e.g. a real `$HOME` the tool expects). */
  isAllowed: (placeholder: string) => boolean;
}

/**
 * Run after reference resolution: catches placeholders the model left in the arguments (`$v9`, `{{city}}`,
 * `<API_KEY>`). Counter and verdict like the ungrounded guard.
 */
export class UnresolvedReferenceGuard implements Guard {
  readonly name = UNRESOLVED_GUARD_NAME;
  config: UnresolvedReferenceGuardConfig;
  private count = 0;

  constructor(config: Partial<UnresolvedReferenceGuardConfig> = {}) {
    this.config = { mode: EnforcementLevel.Warn, graceCalls: 1, patterns: DEFAULT_PLACEHOLDER_PATTERNS, isAllowed: () => false, ...config };
  }

  /** Placeholders found in string values (recursively), in order, without duplicates. */
  findPlaceholders(args: unknown): string[] {
    const found = new Set<string>();
    const visit = (v: unknown): void => {
      if (typeof v === 'string') {
        for (const re of this.config.patterns) {
          for (const m of v.matchAll(new RegExp(re.source, 'g'))) if (!this.config.isAllowed(m[0])) found.add(m[0]);
        }
      } else if (Array.isArray(v)) {
        for (const item of v as unknown[]) visit(item);
      } else if (isPlainObject(v)) {
        for (const item of Object.values(v)) visit(item);
      }
    };
    visit(args);
    return [...found];
  }

  check(toolName: string, args: Record<string, unknown>): GuardResult {
    if (this.config.mode === EnforcementLevel.Off) return allowResult(this.name);
    const found = this.findPlaceholders(args);
    if (found.length === 0) return allowResult(this.name);
    this.count++;
    const listed = found.slice(0, MAX_LISTED).join(', ');
    const more = found.length > MAX_LISTED ? ` (+${found.length - MAX_LISTED} more)` : '';
    const reason = `Unresolved placeholders in \`${toolName}\` arguments: ${listed}${more}. Replace them with actual values or valid $vN references.`;
    const details = { placeholders: found, unresolved_count: this.count };
    if (this.config.mode === EnforcementLevel.Block && this.count > this.config.graceCalls) return blockResult(this.name, reason, details);
    return warnResult(this.name, reason, { ...details, grace_remaining: Math.max(0, this.config.graceCalls - this.count + 1) });
  }

  reset(): void {
    this.count = 0;
  }
}
