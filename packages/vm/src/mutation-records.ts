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

/** Records per chunk: storage grows by whole chunks, so no array is ever copied to grow. */
const CHUNK_SIZE = 4096;
const CHUNK_SHIFT = 12;
const CHUNK_MASK = CHUNK_SIZE - 1;

class Chunk {
  readonly pageIds: string[] = [];
  readonly causes: (string | null)[] = [];
  /** type | tierBefore << 7 | tierAfter << 14 | actor << 21 */
  readonly codes = new Int32Array(CHUNK_SIZE);
  readonly turns = new Float64Array(CHUNK_SIZE);
  readonly times = new Float64Array(CHUNK_SIZE);
  /** > 0: the id is `m_<seq>`; 0: the id is in the records' `ids`. */
  readonly seqs = new Float64Array(CHUNK_SIZE);
}

export class MutationRecords {
  private readonly chunks: Chunk[] = [];
  private current: Chunk | undefined;
  private count = 0;
  private readonly ids = new Map<number, string>();

  get length(): number {
    return this.count;
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
    const i = this.count;
    const slot = i & CHUNK_MASK;
    let c = this.current;
    if (c === undefined || slot === 0) {
      c = new Chunk();
      this.chunks.push(c);
      this.current = c;
    }
    c.pageIds.push(pageId);
    c.causes.push(cause);
    c.codes[slot] = code;
    c.turns[slot] = turn;
    c.times[slot] = timeMs;
    c.seqs[slot] = seq > 0 ? seq : 0;
    if (seq <= 0) this.ids.set(i, id ?? '');
    this.count = i + 1;
    return i;
  }

  private chunk(i: number): Chunk {
    return this.chunks[i >> CHUNK_SHIFT] as Chunk;
  }

  pageId(i: number): string {
    return this.chunk(i).pageIds[i & CHUNK_MASK] as string;
  }
  turn(i: number): number {
    return this.chunk(i).turns[i & CHUNK_MASK] as number;
  }
  time(i: number): number {
    return this.chunk(i).times[i & CHUNK_MASK] as number;
  }
  private code(i: number): number {
    return this.chunk(i).codes[i & CHUNK_MASK] as number;
  }
  typeCode(i: number): number {
    return this.code(i) & CODE_MASK;
  }
  type(i: number): MutationType {
    return VALUES[this.typeCode(i)] as MutationType;
  }
  tierAfter(i: number): StorageTier {
    return VALUES[(this.code(i) >> AFTER_SHIFT) & CODE_MASK] as StorageTier;
  }
  actorCode(i: number): number {
    return (this.code(i) >> ACTOR_SHIFT) & CODE_MASK;
  }

  /** A fresh public object for record `i`. */
  get(i: number): PageMutation {
    const c = this.chunk(i);
    const slot = i & CHUNK_MASK;
    const code = c.codes[slot] as number;
    const seq = c.seqs[slot] as number;
    return {
      mutationId: seq > 0 ? `m_${seq}` : (this.ids.get(i) as string),
      pageId: c.pageIds[slot] as string,
      timestamp: new Date(c.times[slot] as number),
      turn: c.turns[slot] as number,
      mutationType: VALUES[code & CODE_MASK] as MutationType,
      tierBefore: VALUES[(code >> BEFORE_SHIFT) & CODE_MASK] as StorageTier | null,
      tierAfter: VALUES[(code >> AFTER_SHIFT) & CODE_MASK] as StorageTier,
      actor: VALUES[(code >> ACTOR_SHIFT) & CODE_MASK] as Actor,
      cause: c.causes[slot] as string | null,
    };
  }

  /** Public objects of the records at `indexes` (all records without it). */
  list(indexes?: readonly number[]): PageMutation[] {
    if (indexes) return indexes.map((i) => this.get(i));
    const out: PageMutation[] = new Array<PageMutation>(this.count);
    for (let i = 0; i < out.length; i++) out[i] = this.get(i);
    return out;
  }

  /** Public objects of the records `pick` selects. */
  where(pick: (i: number) => boolean): PageMutation[] {
    const out: PageMutation[] = [];
    for (let i = 0; i < this.count; i++) if (pick(i)) out.push(this.get(i));
    return out;
  }

  clear(): void {
    this.chunks.length = 0;
    this.current = undefined;
    this.count = 0;
    this.ids.clear();
  }
}

/** Code of an actor (for comparisons against `actorCode`). */
export function actorCode(a: Actor): number {
  return codeOf(a, 'actor');
}
