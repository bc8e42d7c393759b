import { describe, expect, it } from 'vitest';
import { Mutex, activeLockCount, withSessionLock } from '../src/manager/mutex.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('Mutex', () => {
  it('runs tasks one at a time, in order', async () => {
    const mutex = new Mutex();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([mutex.runExclusive(task('a')), mutex.runExclusive(task('b'))]);
    expect(results).toEqual(['a', 'b']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('keeps working after a task rejects', async () => {
    const mutex = new Mutex();
    await expect(mutex.runExclusive(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.runExclusive(async () => 42)).resolves.toBe(42);
  });
});

describe('withSessionLock', () => {
  it('serialises tasks of one (owner, key) and drops idle entries', async () => {
    const owner = {};
    let inside = 0;
    let maxInside = 0;
    const body = async (): Promise<void> => {
      inside += 1;
      maxInside = Math.max(maxInside, inside);
      await tick();
      inside -= 1;
    };
    const running = Promise.all([withSessionLock(owner, 's1', body), withSessionLock(owner, 's1', body)]);
    expect(activeLockCount(owner)).toBe(1);
    await running;
    expect(maxInside).toBe(1);
    expect(activeLockCount(owner)).toBe(0);
  });

  it('lets different keys and owners run concurrently', async () => {
    const owner = {};
    let inside = 0;
    let maxInside = 0;
    const body = async (): Promise<void> => {
      inside += 1;
      maxInside = Math.max(maxInside, inside);
      await tick();
      inside -= 1;
    };
    await Promise.all([withSessionLock(owner, 'a', body), withSessionLock(owner, 'b', body), withSessionLock({}, 'a', body)]);
    expect(maxInside).toBe(3);
  });

  it('releases the entry when the task throws', async () => {
    const owner = {};
    await expect(withSessionLock(owner, 'x', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(activeLockCount(owner)).toBe(0);
  });
});

describe('Mutex fast path', () => {
  it('turns a synchronous throw into a rejection and frees the lock', async () => {
    const mutex = new Mutex();
    const boom = new Error('sync');
    await expect(
      mutex.runExclusive(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(mutex.runExclusive(async () => 'next')).resolves.toBe('next');
  });

  it('passes a rejection through and hands the lock to the next waiter', async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    const first = mutex.runExclusive(async () => {
      await tick();
      order.push('first');
      throw new Error('async');
    });
    const second = mutex.runExclusive(async () => {
      order.push('second');
      return 2;
    });
    await expect(first).rejects.toThrow('async');
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['first', 'second']);
  });

  it('drops the registry entry after a failed task', async () => {
    const owner = {};
    await expect(withSessionLock(owner, 'k', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(activeLockCount(owner)).toBe(0);
  });
});
