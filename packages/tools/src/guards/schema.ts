import type { JsonSchemaObject } from '../execution/registry.js';
import { ArgumentValidator } from '../execution/validation.js';
import type { ValidationOptions } from '../execution/validation.js';
import { EnforcementLevel, GuardVerdict } from './enums.js';
import { allowResult, blockResult, warnResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';

export const SCHEMA_GUARD_NAME = 'schema';

/** Where the guard gets a tool's JSON Schema (sync or async); `null`/`undefined` = not validated. */
export type ToolSchemaSource = (toolName: string) => JsonSchemaObject | null | undefined | Promise<JsonSchemaObject | null | undefined>;

export interface SchemaStrictnessGuardOptions {
  getSchema: ToolSchemaSource;
  /** `block` (default): invalid arguments are not executed; `warn`: they are, with a warning; `off`: no check. */
  mode?: EnforcementLevel;
  /** Validator rules (CTP defaults: no coercion, no extra fields, no empty required strings). */
  validation?: ValidationOptions;
}

/**
 * Argument validation as a guard (§17.1, CTP `SchemaStrictnessGuard`) for callers that validate before they
 * execute: the same rules and library (ajv) as the executor's validation step. Coerced arguments (with
 * `validation.coerceTypes`) come back as a REPAIR with the coerced arguments, so the change is visible, never silent.
 * Schemas are fetched once per tool and cached.
 */
export class SchemaStrictnessGuard implements Guard {
  readonly name = SCHEMA_GUARD_NAME;
  readonly mode: EnforcementLevel;
  private readonly validator: ArgumentValidator;
  private readonly getSchema: ToolSchemaSource;
  private readonly schemas = new Map<string, JsonSchemaObject | null>();

  constructor(opts: SchemaStrictnessGuardOptions) {
    this.getSchema = opts.getSchema;
    this.mode = opts.mode ?? EnforcementLevel.Block;
    this.validator = new ArgumentValidator(opts.validation);
  }

  private async schemaFor(tool: string): Promise<JsonSchemaObject | null> {
    const cached = this.schemas.get(tool);
    if (cached !== undefined) return cached;
    const schema = (await this.getSchema(tool)) ?? null;
    this.schemas.set(tool, schema);
    return schema;
  }

  /** Forget the cached schemas (e.g. after tools were re-registered). */
  clearSchemaCache(): void {
    this.schemas.clear();
  }

  async check(toolName: string, args: Record<string, unknown>): Promise<GuardResult> {
    if (this.mode === EnforcementLevel.Off) return allowResult(this.name);
    const schema = await this.schemaFor(toolName);
    if (schema === null) return allowResult(this.name);
    const outcome = this.validator.validate({ name: toolName, parameters: schema, execute: () => undefined }, args);
    if (outcome.ok) {
      if (!outcome.changed) return allowResult(this.name);
      return {
        verdict: GuardVerdict.Repair,
        reason: `Arguments of ${toolName} were coerced or default-filled to match its schema`,
        details: { original_args: args, coerced_args: outcome.args },
        repaired_args: outcome.args,
        fallback_response: null,
        guard: this.name,
      };
    }
    const details = { issues: outcome.issues };
    return this.mode === EnforcementLevel.Warn ? warnResult(this.name, outcome.message, details) : blockResult(this.name, outcome.message, details);
  }
}
