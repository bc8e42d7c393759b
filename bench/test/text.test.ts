import { describe, expect, it } from 'vitest';
import { median, percentile } from '../lib/harness.js';
import { PAGE_TEXT_CHARS, SEED_W2_W4, TextGenerator, VOCAB } from '../lib/text.js';

describe('deterministic benchmark text', () => {
  it('has the 64-word vocabulary in the documented order', () => {
    expect(VOCAB).toHaveLength(64);
    expect(VOCAB[0]).toBe('the');
    expect(VOCAB[63]).toBe('through');
  });

  it('reproduces the documented first message for seed 1002 (264 chars)', () => {
    const message = new TextGenerator(SEED_W2_W4).message();
    expect(message).toHaveLength(264);
    expect(message.split(' ')).toHaveLength(60);
    expect(message[0]).toBe(message[0]?.toUpperCase());
    expect(message.endsWith('.')).toBe(true);
  });

  it('is minstd: the first state from seed 1 is 48271', () => {
    expect(new TextGenerator(1).next()).toBe(48271);
  });

  it('cuts page text and corpora to exactly the asked length', () => {
    const g = new TextGenerator(1003);
    expect(g.pageText()).toHaveLength(PAGE_TEXT_CHARS);
    expect(g.corpus(1024)).toHaveLength(1024);
  });

  it('repeats exactly for the same seed', () => {
    expect(new TextGenerator(7).message()).toBe(new TextGenerator(7).message());
  });
});

describe('harness statistics', () => {
  it('takes the median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
  });
});
