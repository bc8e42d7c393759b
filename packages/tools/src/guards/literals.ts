/** Numbers a user typed, and `name = value` assignments an assistant stated in prose. */

export interface UserLiteralOptions {
  /** `1,000` → 1000 (a comma followed by exactly three digits). Default true. */
  parseThousands?: boolean;
  /** `3.5%` also adds 0.035. Default true. */
  percentAsFraction?: boolean;
}

const THOUSANDS_NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?!\d)|\d+`;
const PLAIN_NUMBER = String.raw`\d+`;
const numberRe = (thousands: boolean): RegExp =>
  new RegExp(String.raw`(?<![\p{L}\p{N}_$.])(-?)(${thousands ? THOUSANDS_NUMBER : PLAIN_NUMBER})(\.\d*)?([eE][+-]?\d+)?(%)?`, 'gu');
const SIGN_CONTEXT = /[\s(=,]/u;
const PERCENT = 100;

/** The numbers of a text, in order (duplicates kept), with the rules of `registerUserLiterals`. */
export function extractUserLiterals(text: string, opts: UserLiteralOptions = {}): number[] {
  const thousands = opts.parseThousands ?? true;
  const percent = opts.percentAsFraction ?? true;
  const out: number[] = [];
  for (const m of text.matchAll(numberRe(thousands))) {
    const [, sign = '', intPart = '', frac = '', exp = '', pct] = m;
    const before = m.index > 0 ? text[m.index - 1] : undefined;
    const signed = sign === '-' && (before === undefined || SIGN_CONTEXT.test(before));
    const value = Number(`${signed ? '-' : ''}${intPart.replaceAll(',', '')}${frac === '.' ? '' : frac}${exp}`);
    if (!Number.isFinite(value)) continue;
    out.push(value);
    if (pct !== undefined && percent) out.push(value / PERCENT);
  }
  return out;
}

export interface StatedAssignment {
  name: string;
  value: number;
}

const ASSIGNMENT_RE = /(?<![\p{L}\p{N}_])([\p{L}_][\p{L}\p{N}_]*)[ \t]*([<>!=]?)=(=?)[ \t]*(-?\d+\.?\d*(?:[eE][+-]?\d+)?)/gu;
const LOOKBACK = 10;
const SKIP_CONTEXT = ['==', '!=', 'if ', 'while ', 'for '];

/** `mu = 3.14`, `σ = 2`; comparisons (`==`, `<=`, `>=`, `!=`) and conditions (`if x = 1`) are skipped. */
export function extractAssignments(text: string): StatedAssignment[] {
  const out: StatedAssignment[] = [];
  for (const m of text.matchAll(ASSIGNMENT_RE)) {
    const [, name = '', before = '', after = '', num = ''] = m;
    if (before !== '' || after !== '') continue;
    const context = text.slice(Math.max(0, m.index - LOOKBACK), m.index);
    if (SKIP_CONTEXT.some((s) => context.includes(s))) continue;
    const value = Number(num);
    if (Number.isFinite(value)) out.push({ name, value });
  }
  return out;
}
