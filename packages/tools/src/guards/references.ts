import { isPlainObject, renderValue } from '../common/json.js';

/** `$$` (escape), `${name}` or `$name`; unbalanced `${name` is not a token. */
const TOKEN_RE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const ID_RE = /^v\d+$/;

/** True when the name is a binding id (`v12`). */
export const isBindingId = (name: string): boolean => ID_RE.test(name);

export interface FoundReference {
  /** JSON-pointer-like path of the string value (`items/0/x`). */
  path: string;
  /** The token as written (`${v1}`). */
  token: string;
  /** The name inside (`v1`). */
  name: string;
  /** The trimmed string is exactly this token. */
  whole: boolean;
}

interface TokenMatch {
  token: string;
  name: string | null;
  index: number;
}

function tokensIn(text: string): TokenMatch[] {
  const out: TokenMatch[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    out.push({ token: m[0], name: m[1] ?? m[2] ?? null, index: m.index });
  }
  return out;
}

function walkStrings(value: unknown, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v: unknown, i) => {
      walkStrings(v, path === '' ? String(i) : `${path}/${i}`, visit);
    });
  else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) walkStrings(v, path === '' ? k : `${path}/${k}`, visit);
  }
}

/** Every `$name` token in string values (recursively); keys are never scanned. */
export function findReferences(args: unknown): FoundReference[] {
  const found: FoundReference[] = [];
  walkStrings(args, '', (text, path) => {
    const trimmed = text.trim();
    for (const t of tokensIn(text)) {
      if (t.name === null) continue;
      found.push({ path, token: t.token, name: t.name, whole: trimmed === t.token });
    }
  });
  return found;
}

export type ReferenceLookup = (name: string) => { found: true; value: unknown } | { found: false };

export interface ResolvedReference {
  path: string;
  ref: string;
  value: unknown;
}

export interface ResolvedArgs {
  args: Record<string, unknown>;
  resolved: ResolvedReference[];
  /** Binding ids (`$v99`) that did not resolve. */
  missing: string[];
}

const embedText = (value: unknown): string => (typeof value === 'number' ? String(value) : renderValue(value));

/**
 * Structural, type-preserving resolution: a string that is exactly one reference becomes the bound value
 * (numbers stay numbers, arrays stay arrays); embedded references are interpolated as text; `$$` becomes `$`;
 * unknown references stay as written. Never mutates the input.
 */
export function resolveStructurally(args: Record<string, unknown>, lookup: ReferenceLookup): ResolvedArgs {
  const resolved: ResolvedReference[] = [];
  const missing: string[] = [];

  const resolveString = (text: string, path: string): unknown => {
    const tokens = tokensIn(text);
    if (tokens.length === 0) return text;
    const trimmed = text.trim();
    const [only] = tokens;
    if (tokens.length === 1 && only !== undefined && only.name !== null && trimmed === only.token) {
      const hit = lookup(only.name);
      if (hit.found) {
        resolved.push({ path, ref: only.name, value: hit.value });
        return hit.value;
      }
      if (isBindingId(only.name)) missing.push(`$${only.name}`);
      return text;
    }
    let out = '';
    let last = 0;
    for (const t of tokens) {
      out += text.slice(last, t.index);
      last = t.index + t.token.length;
      if (t.name === null) {
        out += '$';
        continue;
      }
      const hit = lookup(t.name);
      if (hit.found) {
        resolved.push({ path, ref: t.name, value: hit.value });
        out += embedText(hit.value);
      } else {
        if (isBindingId(t.name)) missing.push(`$${t.name}`);
        out += t.token;
      }
    }
    return out + text.slice(last);
  };

  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') return resolveString(value, path);
    if (Array.isArray(value)) return value.map((v: unknown, i) => walk(v, path === '' ? String(i) : `${path}/${i}`));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, path === '' ? k : `${path}/${k}`);
      return out;
    }
    return value;
  };

  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[k] = walk(v, k);
  return { args: out, resolved, missing: [...new Set(missing)] };
}
