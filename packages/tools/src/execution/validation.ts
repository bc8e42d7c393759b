import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { z } from 'zod';
import { isPlainObject } from '../common/json.js';
import type { ValidationIssue } from './errors.js';
import type { AnyToolDefinition, JsonSchemaObject } from './registry.js';

export const MAX_REPORTED_ISSUES = 10;

export const ValidationOptionsSchema = z
  .object({
    coerceTypes: z.boolean().default(false).describe('coerce "5" → 5, "true" → true, ... before validating'),
    allowExtraFields: z.boolean().default(false).describe('accept fields the schema does not declare'),
    rejectEmptyStrings: z.boolean().default(true).describe('required string fields must not be empty or whitespace'),
  })
  .strict();
export type ValidationOptions = z.input<typeof ValidationOptionsSchema>;

export type ValidationOutcome =
  | { ok: true; args: Record<string, unknown>; changed: boolean }
  | { ok: false; issues: ValidationIssue[]; message: string };

const AJV_KEYWORD: Record<string, ValidationIssue['violation_type']> = {
  required: 'missing_required',
  additionalProperties: 'unknown_field',
  type: 'type_mismatch',
  enum: 'enum_invalid',
  const: 'enum_invalid',
};

const pointerToPath = (pointer: string): string => pointer.replace(/^\//, '').replaceAll('/', '.');

function ajvIssue(e: ErrorObject): ValidationIssue {
  const base = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  let field = base === '' ? '(root)' : base;
  if (e.keyword === 'required' && typeof params.missingProperty === 'string') field = base === '' ? params.missingProperty : `${base}.${params.missingProperty}`;
  if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    field = base === '' ? params.additionalProperty : `${base}.${params.additionalProperty}`;
  }
  const message = e.keyword === 'additionalProperties' ? 'is not an allowed field' : (e.message ?? 'is invalid');
  const expected = params.type ?? params.allowedValues ?? params.allowedValue;
  return { violation_type: AJV_KEYWORD[e.keyword] ?? 'constraint_violated', field, message, ...(expected !== undefined ? { expected } : {}) };
}

function zodIssue(i: z.core.$ZodIssue): ValidationIssue {
  const field = i.path.length === 0 ? '(root)' : i.path.map(String).join('.');
  let type: ValidationIssue['violation_type'] = 'constraint_violated';
  if (i.code === 'invalid_type') type = i.input === undefined ? 'missing_required' : 'type_mismatch';
  else if (i.code === 'unrecognized_keys') type = 'unknown_field';
  else if (i.code === 'invalid_value') type = 'enum_invalid';
  return { violation_type: type, field, message: i.message };
}

/** A short human summary of the expected arguments: `{a: number, b?: string}`. */
export function schemaSummary(schema: JsonSchemaObject): string {
  const props = isPlainObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const parts = Object.entries(props).map(([k, v]) => {
    const spec = isPlainObject(v) ? v : {};
    let t = 'any';
    if (Array.isArray(spec.enum)) t = spec.enum.map((x) => JSON.stringify(x)).join(' | ');
    else if (typeof spec.type === 'string') t = spec.type;
    else if (Array.isArray(spec.type)) t = spec.type.map(String).join(' | ');
    return `${k}${required.has(k) ? '' : '?'}: ${t}`;
  });
  return `{${parts.join(', ')}}`;
}

export function formatValidationMessage(tool: string, issues: readonly ValidationIssue[], schema: JsonSchemaObject | null): string {
  const shown = issues.slice(0, MAX_REPORTED_ISSUES).map((i) => `${i.field}: ${i.message}`);
  const more = issues.length > MAX_REPORTED_ISSUES ? `; (+${issues.length - MAX_REPORTED_ISSUES} more)` : '';
  const expected = schema === null ? '' : `. Expected arguments: ${schemaSummary(schema)}`;
  return `Invalid arguments for ${tool}: ${shown.join('; ')}${more}${expected}`;
}

function emptyStringIssues(schema: JsonSchemaObject, args: Record<string, unknown>): ValidationIssue[] {
  const props = isPlainObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
  return required
    .filter((k) => {
      const spec = props[k];
      const v = args[k];
      return isPlainObject(spec) && spec.type === 'string' && typeof v === 'string' && v.trim() === '';
    })
    .map((k) => ({ violation_type: 'empty_required' as const, field: k, message: 'must not be empty' }));
}

const zodJsonSchemaCache = new WeakMap<object, JsonSchemaObject>();

/** The JSON Schema of a definition's arguments (`parameters`, or derived from `inputSchema`), if any. */
export function jsonSchemaOf(def: AnyToolDefinition): JsonSchemaObject | null {
  if (def.parameters !== undefined) return def.parameters;
  if (def.inputSchema === undefined) return null;
  const cached = zodJsonSchemaCache.get(def.inputSchema);
  if (cached !== undefined) return cached;
  const schema = z.toJSONSchema(def.inputSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaObject;
  delete schema.$schema;
  zodJsonSchemaCache.set(def.inputSchema, schema);
  return schema;
}

/** Validates tool arguments: zod `inputSchema` with `safeParse`, JSON Schema `parameters` with ajv (compiled once). */
export class ArgumentValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new WeakMap<object, ValidateFunction>();
  readonly options: z.infer<typeof ValidationOptionsSchema>;

  constructor(options: ValidationOptions = {}) {
    this.options = ValidationOptionsSchema.parse(options);
    this.ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: this.options.coerceTypes, strict: false });
  }

  private compile(schema: JsonSchemaObject): ValidateFunction {
    let fn = this.compiled.get(schema);
    if (fn === undefined) {
      const effective =
        !this.options.allowExtraFields && schema.additionalProperties === undefined && isPlainObject(schema.properties)
          ? { ...schema, additionalProperties: false }
          : schema;
      fn = this.ajv.compile(effective);
      this.compiled.set(schema, fn);
    }
    return fn;
  }

  validate(def: AnyToolDefinition, args: Record<string, unknown>): ValidationOutcome {
    if (def.inputSchema !== undefined) {
      const parsed = def.inputSchema.safeParse(args);
      if (parsed.success) {
        const data = parsed.data;
        return { ok: true, args: isPlainObject(data) ? data : args, changed: false };
      }
      const issues = parsed.error.issues.map(zodIssue);
      return { ok: false, issues, message: formatValidationMessage(def.name, issues, jsonSchemaOf(def)) };
    }
    const schema = def.parameters;
    if (schema === undefined) return { ok: true, args, changed: false };
    const working = structuredClone(args);
    const validate = this.compile(schema);
    const valid = validate(working);
    const issues = valid ? [] : (validate.errors ?? []).map(ajvIssue);
    if (this.options.rejectEmptyStrings) issues.push(...emptyStringIssues(schema, working));
    if (issues.length > 0) return { ok: false, issues, message: formatValidationMessage(def.name, issues, schema) };
    return { ok: true, args: working, changed: JSON.stringify(working) !== JSON.stringify(args) };
  }
}
