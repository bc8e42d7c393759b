/** Plain-text (Markdown) rendering of the fidelity results. */
import { breakdownByKind, type ConfigResult } from './runner.js';

export type Row = { name: string; result: ConfigResult } | { name: string; unavailable: string };

const HEADER = ['configuration', 'direct recall', 'recall within one fault', 'stale exposed', 'avg tokens in context', 'max tokens', 'time'];

function pct(value: number): string {
  return `${value.toFixed(1)}%`;
}

function time(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function line(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function formatTable(rows: readonly Row[]): string {
  const out = [line(HEADER), line(HEADER.map(() => '---'))];
  for (const row of rows) {
    if ('unavailable' in row) {
      out.push(line([row.name, row.unavailable, '', '', '', '', '']));
      continue;
    }
    const r = row.result;
    out.push(
      line([
        r.name,
        pct(r.directRecall),
        pct(r.withinOneFault),
        `${r.staleExposed}`,
        `${Math.round(r.avgTokens)}`,
        `${r.maxTokens}`,
        time(r.timeMs),
      ]),
    );
  }
  return out.join('\n');
}

/** Per fact kind: direct / within one fault / stale, as counts out of the probes of that kind. */
export function formatBreakdown(result: ConfigResult): string {
  const cells = breakdownByKind(result.outcomes).map(
    (k) => `${k.kind} ${k.direct}/${k.withinOneFault}/${k.probes}${k.stale > 0 ? ` stale ${k.stale}` : ''}`,
  );
  return `${result.name}: ${cells.join(', ')}`;
}

/** Average tokens per part of the context (VM rules, manifest, packed VM:CONTEXT, other messages) and the time split. */
export function formatComposition(result: ConfigResult): string {
  const c = result.avgComposition;
  const r = (n: number): number => Math.round(n);
  const probes = result.timeMs - result.playMs;
  return (
    `${result.name}: rules ${r(c.rules)}, manifest ${r(c.manifest)}, VM:CONTEXT ${r(c.packed)}, messages ${r(c.messages)}; ` +
    `time ${time(result.playMs)} playing, ${time(probes)} probing`
  );
}
