import { InvalidInput } from '@chuk/models';
import { Actor, MutationType, StorageTier } from './enums.js';
import type { PageMutation } from './models/fault.js';

/**
 * Compact storage of mutation records (struct of arrays): no object, id string or `Date` per record on the hot
 * path. The public `PageMutation` objects (with their `m_<n>` ids and `Date` timestamps) are built when read.
 */

/** Bits per coded field (mutation type, tier before, tier after, actor) in one small integer. */
const CODE_BITS = 7;
const CODE_MASK = (1 << CODE_BITS) - 1;
const BEFORE_SHIFT = CODE_BITS;
const AFTER_SHIFT = 2 * CODE_BITS;
const ACTOR_SHIFT = 3 * CODE_BITS;

/** Code → value (code 0 is `null`); known enum values first, others (from untyped callers) appended on first use. */
const VALUES: (string | null)[] = [null, ...Object.values(MutationType), ...Object.values(StorageTier), ...Object.values(Actor)];
const CODES = new Map<string | null, number>(VALUES.map((v, i) => [v, i]));

function codeOf(value: string | null, field: string): number {
  const known = CODES.get(value);
  if (known !== undefined) return known;
  if (VALUES.length > CODE_MASK || typeof value !== 'string') {
    throw new InvalidInput({ field, reason: `unsupported value ${String(value)}` });
  }
  const code = VALUES.length;
  VALUES.push(value);
  CODES.set(value, code);
  return code;
}

/** The code of a mutation type (for comparisons against `typeCode`). */
export function mutationTypeCode(t: MutationType): number {
  return codeOf(t, 'mutationType');
}

export class MutationRecords {
  private readonly pageIds: string[] = [];
  /** type | tierBefore << 7 | tierAfter << 14 | actor << 21 */
  private readonly codes: number[] = [];
  private readonly times: number[] = [];
  private readonly turns: number[] = [];
  private readonly causes: (string | null)[] = [];
  /** > 0: the id is `m_<seq>`; 0: the id is in `ids`. */
  private readonly seqs: number[] = [];
  private readonly ids = new Map<number, string>();

  get length(): number {
    return this.pageIds.length;
  }

  /** Append one record; `seq > 0` names it `m_<seq>`, otherwise `id` is its id. Returns its index. */
  push(
    pageId: string,
    type: MutationType,
    tierBefore: StorageTier | null,
    tierAfter: StorageTier,
    actor: Actor,
    cause: string | null,
    turn: number,
    timeMs: number,
    seq: number,
    id?: string,
  ): number {
    const code =
      codeOf(type, 'mutationType') |
      (codeOf(tierBefore, 'tierBefore') << BEFORE_SHIFT) |
      (codeOf(tierAfter, 'tierAfter') << AFTER_SHIFT) |
      (codeOf(actor, 'actor') << ACTOR_SHIFT);
    const i = this.pageIds.length;
    this.pageIds.push(pageId);
    this.codes.push(code);
    this.times.push(timeMs);
    this.turns.push(turn);
    this.causes.push(cause);
    this.seqs.push(seq > 0 ? seq : 0);
    if (seq <= 0) this.ids.set(i, id ?? '');
    return i;
  }

  pageId(i: number): string {
    return this.pageIds[i] as string;
  }
  turn(i: number): number {
    return this.turns[i] as number;
  }
  time(i: number): number {
    return this.times[i] as number;
  }
  typeCode(i: number): number {
    return (this.codes[i] as number) & CODE_MASK;
  }
  type(i: number): MutationType {
    return VALUES[this.typeCode(i)] as MutationType;
  }
  tierAfter(i: number): StorageTier {
    return VALUES[((this.codes[i] as number) >> AFTER_SHIFT) & CODE_MASK] as StorageTier;
  }
  actorCode(i: number): number {
    return ((this.codes[i] as number) >> ACTOR_SHIFT) & CODE_MASK;
  }

  /** A fresh public object for record `i`. */
  get(i: number): PageMutation {
    const code = this.codes[i] as number;
    const seq = this.seqs[i] as number;
    return {
      mutationId: seq > 0 ? `m_${seq}` : (this.ids.get(i) as string),
      pageId: this.pageIds[i] as string,
      timestamp: new Date(this.times[i] as number),
      turn: this.turns[i] as number,
      mutationType: VALUES[code & CODE_MASK] as MutationType,
      tierBefore: VALUES[(code >> BEFORE_SHIFT) & CODE_MASK] as StorageTier | null,
      tierAfter: VALUES[(code >> AFTER_SHIFT) & CODE_MASK] as StorageTier,
      actor: VALUES[(code >> ACTOR_SHIFT) & CODE_MASK] as Actor,
      cause: this.causes[i] as string | null,
    };
  }

  /** Public objects of the records at `indexes` (all records without it). */
  list(indexes?: readonly number[]): PageMutation[] {
    if (indexes) return indexes.map((i) => this.get(i));
    const out: PageMutation[] = new Array<PageMutation>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.get(i);
    return out;
  }

  /** Public objects of the records whose coded field matches. */
  where(pick: (i: number) => boolean): PageMutation[] {
    const out: PageMutation[] = [];
    for (let i = 0; i < this.length; i++) if (pick(i)) out.push(this.get(i));
    return out;
  }

  clear(): void {
    this.pageIds.length = 0;
    this.codes.length = 0;
    this.times.length = 0;
    this.turns.length = 0;
    this.causes.length = 0;
    this.seqs.length = 0;
    this.ids.clear();
  }
}

/** Code of an actor (for comparisons against `actorCode`). */
export function actorCode(a: Actor): number {
  return codeOf(a, 'actor');
}
