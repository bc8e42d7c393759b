/** Deterministic text of ../shared/bench/workloads.md: Park–Miller minstd over a fixed 64-word vocabulary. */
export const VOCAB = (
  'the of and to in a is that for it as was with be by on not he this are or his from at which ' +
  'but have an had they you were their one all we can her has there been if more when will would ' +
  'who so no session memory context token model page message user system data time work about ' +
  'between through'
).split(' ');

const MINSTD_MULTIPLIER = 48271;
const MINSTD_MODULUS = 2147483647;
const WORDS_PER_SENTENCE = 12;
const SENTENCES_PER_MESSAGE = 5;
export const PAGE_TEXT_CHARS = 400;

export class TextGenerator {
  private state: number;

  constructor(seed: number) {
    this.state = seed;
  }

  next(): number {
    this.state = (this.state * MINSTD_MULTIPLIER) % MINSTD_MODULUS;
    return this.state;
  }

  word(): string {
    return VOCAB[this.next() % VOCAB.length] as string;
  }

  sentence(): string {
    const words: string[] = [];
    for (let i = 0; i < WORDS_PER_SENTENCE; i++) words.push(this.word());
    const text = words.join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  }

  message(): string {
    const sentences: string[] = [];
    for (let i = 0; i < SENTENCES_PER_MESSAGE; i++) sentences.push(this.sentence());
    return sentences.join(' ');
  }

  /** Sentences joined by a space until at least `chars` long, cut to exactly `chars`. */
  corpus(chars: number): string {
    const parts: string[] = [];
    let length = 0;
    while (length < chars) {
      const s = this.sentence();
      parts.push(s);
      length += s.length + (parts.length > 1 ? 1 : 0);
    }
    return parts.join(' ').slice(0, chars);
  }

  pageText(): string {
    return this.corpus(PAGE_TEXT_CHARS);
  }
}

export const SEED_W2_W4 = 1002;
export const SEED_W3 = 1003;
export const SEED_W5 = 1005;
