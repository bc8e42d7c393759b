import { describe, expect, it } from 'vitest';
import { UnresolvedReferenceGuard } from '../src/guards/unresolved.js';

describe('UnresolvedReferenceGuard', () => {
  it('finds leftover placeholders recursively; warn then block after grace', () => {
    const g = new UnresolvedReferenceGuard({ mode: 'block', graceCalls: 1 });
    expect(g.check('t', { a: 'plain', n: 1 }).verdict).toBe('allow');
    const args = { a: 'use ${x} and $v9', b: ['{{city}}', { c: '<API_KEY>' }] };
    expect(g.findPlaceholders(args)).toEqual(['${x}', '$v9', '{{city}}', '<API_KEY>']);
    const first = g.check('t', args);
    expect(first.verdict).toBe('warn');
    expect(first.details).toMatchObject({ unresolved_count: 1, grace_remaining: 1 });
    expect(g.check('t', args).verdict).toBe('block');
    g.reset();
    expect(g.check('t', args).verdict).toBe('warn');
  });
  it('lists at most 5, allowed literals exempt, off mode', () => {
    const g = new UnresolvedReferenceGuard({ isAllowed: (p) => p === '$HOME' });
    const r = g.check('t', { s: '$a $b $c $d $e $f $g $HOME' });
    expect(r.reason).toContain('$a, $b, $c, $d, $e (+2 more)');
    expect(r.reason).not.toContain('$HOME');
    expect(new UnresolvedReferenceGuard({ mode: 'off' }).check('t', { s: '$a' }).verdict).toBe('allow');
  });
});
