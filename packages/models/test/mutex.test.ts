import { describe, expect, it } from 'vitest';
import { KeyedMutex, Mutex, createKeyedMutex } from '../src/index.js';

interface Gate {
  promise: Promise<void>;
  open: () => void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets queued promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Mutex', () => {
  it('runs tasks one at a time, in arrival order', async () => {
    const mutex = new Mutex();
    const log: string[] = [];
    const first = gate();
    const a = mutex.runExclusive(async () => {
      log.push('start a');
      await first.promise;
      log.push('end a');
      return 'a';
    });
    const b = mutex.runExclusive(async () => {
      log.push('b');
      return 'b';
    });
    await settle();
    expect(log).toEqual(['start a']);
    expect(mutex.isLocked).toBe(true);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['start a', 'end a', 'b']);
    expect(mutex.isLocked).toBe(false);
  });

  it('is released by a rejecting or synchronously throwing task, and passes the error on', async () => {
    const mutex = new Mutex();
    const boom = new Error('boom');
    await expect(mutex.runExclusive(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(
      mutex.runExclusive(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(mutex.isLocked).toBe(false);
    await expect(mutex.runExclusive(async () => 42)).resolves.toBe(42);
  });

  it('hands the lock to the next waiter when the holder rejects', async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    const held = gate();
    const first = mutex.runExclusive(async () => {
      await held.promise;
      order.push('first');
      throw new Error('async');
    });
    const second = mutex.runExclusive(async () => {
      order.push('second');
      return 2;
    });
    held.open();
    await expect(first).rejects.toThrow('async');
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['first', 'second']);
  });
});

describe('KeyedMutex', () => {
  it('excludes tasks of one key from each other', async () => {
    const locks = createKeyedMutex();
    expect(locks).toBeInstanceOf(KeyedMutex);
    let inside = 0;
    let most = 0;
    const task = async (): Promise<void> => {
      inside += 1;
      most = Math.max(most, inside);
      await settle();
      inside -= 1;
    };
    await Promise.all([locks.run('k', task), locks.run('k', task), locks.run('k', task)]);
    expect(most).toBe(1);
  });

  it('runs different keys concurrently', async () => {
    const locks = new KeyedMutex();
    const held = gate();
    const log: string[] = [];
    const a = locks.run('a', async () => {
      log.push('a holds');
      await held.promise;
      log.push('a done');
    });
    const b = locks.run('b', async () => {
      log.push('b ran');
    });
    await b;
    expect(log).toEqual(['a holds', 'b ran']);
    expect(locks.size).toBe(1);
    held.open();
    await a;
    expect(log).toEqual(['a holds', 'b ran', 'a done']);
  });

  it('keeps no key once its tasks are done (success or error)', async () => {
    const locks = new KeyedMutex();
    const held = gate();
    const running = locks.run('k', () => held.promise);
    const queued = locks.run('k', async () => 'second');
    const other = locks.run('j', async () => 'other');
    expect(locks.size).toBe(2);
    held.open();
    expect(await Promise.all([running, queued, other])).toEqual([undefined, 'second', 'other']);
    expect(locks.size).toBe(0);
    for (let i = 0; i < 50; i++) await locks.run(`s${i}`, async () => i);
    expect(locks.size).toBe(0);
  });

  it('releases the key when a task fails, and the error reaches its caller', async () => {
    const locks = new KeyedMutex();
    const boom = new Error('boom');
    const failing = locks.run('k', () => Promise.reject(boom));
    const throwing = locks.run('k', () => {
      throw boom;
    });
    const next = locks.run('k', async () => 'after');
    await expect(failing).rejects.toBe(boom);
    await expect(throwing).rejects.toBe(boom);
    await expect(next).resolves.toBe('after');
    expect(locks.size).toBe(0);
  });
});
