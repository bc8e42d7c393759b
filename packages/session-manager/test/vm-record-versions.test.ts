import { PageType, type MemoryManager } from '@chuk/vm';
import { describe, expect, it } from 'vitest';
import { makeManager } from './helpers.js';

describe('VM facade recordVersions option', () => {
  it('passes recordVersions through: each message page keeps a version that replayTo returns', async () => {
    const { manager } = makeManager({ enableVm: true, vm: { recordVersions: true } });
    await manager.userSays('first question about versions');
    const vm = manager.vm as MemoryManager;
    const [entry] = vm.pageTable.getByType(PageType.Transcript);
    expect(entry).toBeDefined();
    const versions = vm.mutationLog.getVersions(entry!.pageId);
    expect(versions).toHaveLength(1);
    const replayed = vm.mutationLog.replayTo(entry!.pageId, versions[0]!.timestamp);
    expect(replayed?.version?.page.content).toBe('first question about versions');
  });

  it('records no versions without the option', async () => {
    const { manager } = makeManager({ enableVm: true });
    await manager.userSays('first question about versions');
    const vm = manager.vm as MemoryManager;
    const [entry] = vm.pageTable.getByType(PageType.Transcript);
    expect(entry).toBeDefined();
    expect(vm.mutationLog.getVersions(entry!.pageId)).toEqual([]);
  });
});
