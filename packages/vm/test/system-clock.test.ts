import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/util/text.js';

describe('systemClock', () => {
  afterEach(() => vi.restoreAllMocks());

  it('returns the current time, one Date object per millisecond', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000);
    const a = systemClock();
    const b = systemClock();
    expect(a.getTime()).toBe(1_000);
    expect(b).toBe(a);
    now.mockReturnValue(1_001);
    const c = systemClock();
    expect(c).not.toBe(a);
    expect(c.getTime()).toBe(1_001);
    expect(a.getTime()).toBe(1_000);
  });
});
