import { describe, expect, it } from 'vitest';
import { activeLockCount, withSessionLock } from '../src/manager/mutex.js';

// Mutex and KeyedMutex themselves are tested in @chuk/models (test/mutex.test.ts); this is the per-store registry.

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** A task body that records the most tasks inside it at once. */
function overlapProbe(): { body: () => Promise<void>; most: () => number } {
  let inside = 0;
  let most = 0;
  return {
    body: async () => {
      inside += 1;
      most = Math.max(most, inside);
      await tick();
      inside -= 1;
    },
    most: () => most,
  };
}

describe('withSessionLock', () => {
  it('serialises tasks of one (owner, key) and drops idle entries', async () => {
    const owner = {};
    const probe = overlapProbe();
    const running = Promise.all([withSessionLock(owner, 's1', probe.body), withSessionLock(owner, 's1', probe.body)]);
    expect(activeLockCount(owner)).toBe(1);
    await running;
    expect(probe.most()).toBe(1);
    expect(activeLockCount(owner)).toBe(0);
  });

  it('lets different keys and owners run concurrently', async () => {
    const owner = {};
    const probe = overlapProbe();
    await Promise.all([withSessionLock(owner, 'a', probe.body), withSessionLock(owner, 'b', probe.body), withSessionLock({}, 'a', probe.body)]);
    expect(probe.most()).toBe(3);
  });

  it('releases the entry when the task throws', async () => {
    const owner = {};
    await expect(withSessionLock(owner, 'x', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(activeLockCount(owner)).toBe(0);
    expect(activeLockCount({})).toBe(0);
  });
});
