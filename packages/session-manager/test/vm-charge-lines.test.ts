import { PageType, type MemoryManager } from '@chuk/vm';
import { describe, expect, it } from 'vitest';
import { makeManager } from './helpers.js';

async function chargeOfFirstMessage(chargeContextLines: boolean | undefined): Promise<{ charged: number; size: number }> {
  const { manager } = makeManager({ enableVm: true, vm: chargeContextLines === undefined ? {} : { chargeContextLines } });
  await manager.userSays('what does the "line" of this message cost?');
  const vm = manager.vm as MemoryManager;
  const [entry] = vm.pageTable.getByType(PageType.Transcript);
  if (entry === undefined) throw new Error('no transcript page');
  return { charged: vm.workingSet.chargedTokens(entry.pageId), size: entry.sizeTokens ?? 0 };
}

describe('VM facade chargeContextLines option', () => {
  it('passes chargeContextLines through: a message page is charged its VM:CONTEXT line', async () => {
    const { charged, size } = await chargeOfFirstMessage(true);
    expect(size).toBeGreaterThan(0);
    expect(charged).toBeGreaterThan(size);
  });

  it('charges the page its size without the option', async () => {
    const { charged, size } = await chargeOfFirstMessage(undefined);
    expect(charged).toBe(size);
  });
});
