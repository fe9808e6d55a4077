// summary.md: the run at a glance, one row per property, then each counterexample with its replay line.
import { overallVerdict, replayCommands, type RunResult } from '../results.ts';

export function summaryMarkdown(r: RunResult): string {
  const lines = [
    `# podflow fuzz ${r.info.runId}`,
    '',
    `adapter \`${r.info.adapter}\`, seed ${r.info.seed}, ${r.info.options.runs !== undefined ? `${r.info.options.runs} runs per property` : `time budget ${r.info.options.time}`}${r.info.interrupted ? ', **interrupted**' : ''}: **${overallVerdict(r)}**`,
    '',
    '| property | cases | checked | valid | invalid | unknown | verdict | time | seed steps |',
    '|---|---:|---:|---:|---:|---:|---|---:|---|',
    ...r.properties.map((p) => `| ${p.id} | ${p.runs} | ${p.checked ?? '—'} | ${p.valid ?? '—'} | ${p.invalid ?? '—'} | ${p.unknown ?? '—'} | ${p.notApplicable ? 'n/a (unknown)' : p.verdict} | ${(p.timeMs / 1000).toFixed(1)} s | ${p.seedSteps.join(', ')} |`),
  ];
  for (const p of r.properties) {
    for (const cx of p.counterexamples) {
      lines.push('', `## ${p.id}: counterexample ${cx.id}`, '', cx.details, '');
      for (const c of cx.claims ?? []) lines.push(`- ${c.message}${c.point ? ` — at \`${c.point}\`` : ''}${c.layer || c.field ? `, ${[c.layer, c.field].filter(Boolean).join(' ')}` : ''}${c.expected !== undefined || c.received !== undefined ? `: EXPECTED ${c.expected ?? '—'} / RECEIVED ${c.received ?? '—'}` : ''}`);
      for (const x of cx.excused ?? []) lines.push(`- (excused by known divergence ${x.divergence}) ${x.claim.message}`);
      lines.push('');
      lines.push('Replay:', '', '```sh', ...replayCommands(r, p, cx), '```');
    }
    if (p.knownDivergences) lines.push('', `## ${p.id}: known divergences`, '', ...Object.entries(p.knownDivergences).map(([id, n]) => `- ${id}: ${n} case${n === 1 ? '' : 's'} (explained by the adapter's known-divergences file)`));
    if (p.unknownReasons.length > 0) lines.push('', `## ${p.id}: unknown`, '', ...p.unknownReasons.map((u) => `- ${u}${p.unknownByReason?.[u] !== undefined ? ` (${p.unknownByReason[u]} case${p.unknownByReason[u] === 1 ? '' : 's'})` : ''}`));
  }
  return `${lines.join('\n')}\n`;
}
