// summary.md: the run at a glance, one row per property; the failures triaged (new ones first, then known ones
// with the run that first had them, then known divergences); then each counterexample, new ones first, with its
// replay line; the run's coverage against the model's universe (what is still unhit).
import { coverageMarkdown, runCoverage } from '../coverage.ts';
import { measureShares, overallVerdict, replayCommands, type Counterexample, type PropertyResult, type RunResult } from '../results.ts';

/** New first, then known, then unmarked; catalogue order otherwise. */
function triageRank(cx: Counterexample): number {
  return cx.triage?.status === 'new' ? 0 : cx.triage?.status === 'known' ? 1 : 2;
}

function triageNote(cx: Counterexample): string {
  const t = cx.triage;
  if (!t) return '';
  if (t.status === 'new') return ' — **new**';
  return ` — known${t.firstSeenRun !== undefined ? ` (first seen in run \`${t.firstSeenRun}\`)` : t.corpusEntry !== undefined ? ` (corpus entry \`${t.corpusEntry}\`)` : ''}`;
}

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
  const all: [PropertyResult, Counterexample][] = r.properties.flatMap((p) => p.counterexamples.map((cx) => [p, cx] as [PropertyResult, Counterexample]));
  const ordered = all.map((x, i) => [x, i] as const).sort((a, b) => triageRank(a[0][1]) - triageRank(b[0][1]) || a[1] - b[1]).map(([x]) => x);
  const divergences = r.properties.flatMap((p) => Object.entries(p.knownDivergences ?? {}).map(([id, n]) => `- ${p.id}: known divergence ${id}, ${n} case${n === 1 ? '' : 's'} (excused, not a failure)`));
  if (all.some(([, cx]) => cx.triage) || divergences.length > 0) {
    const newOnes = ordered.filter(([, cx]) => cx.triage?.status === 'new');
    const known = ordered.filter(([, cx]) => cx.triage?.status === 'known');
    lines.push('', '## Triage', '', `${newOnes.length} new failure${newOnes.length === 1 ? '' : 's'}, ${known.length} known, ${divergences.length} known divergence${divergences.length === 1 ? '' : 's'}`, '');
    for (const [p, cx] of [...newOnes, ...known]) lines.push(`- ${cx.triage!.status === 'new' ? '**new**' : 'known'} ${p.id}: \`${cx.id}\`, signature \`${cx.signature ?? '—'}\`${triageNote(cx).replace(/^ — (\*\*new\*\*|known)/, '')}`);
    lines.push(...divergences);
  }
  for (const [p, cx] of ordered) {
    lines.push('', `## ${p.id}: counterexample ${cx.id}${triageNote(cx)}`, '', cx.details, '');
    for (const c of cx.claims ?? []) lines.push(`- ${c.message}${c.point ? ` — at \`${c.point}\`` : ''}${c.layer || c.field ? `, ${[c.layer, c.field].filter(Boolean).join(' ')}` : ''}${c.expected !== undefined || c.received !== undefined ? `: EXPECTED ${c.expected ?? '—'} / RECEIVED ${c.received ?? '—'}` : ''}`);
    for (const x of cx.excused ?? []) lines.push(`- (excused by known divergence ${x.divergence}) ${x.claim.message}`);
    lines.push('');
    lines.push('Replay:', '', '```sh', ...replayCommands(r, p, cx), '```');
    if (cx.triage?.keptAs !== undefined) lines.push('', `The corpus keeps a smaller case of this failure: entry \`${cx.triage.keptAs}\` (this one was not added).`);
  }
  const cov = runCoverage(r);
  const covLines = coverageMarkdown(cov.summary, cov.universe.unreachable);
  if (covLines.length > 0) lines.push('', '## Coverage', '', ...covLines);
  for (const p of r.properties) {
    if (p.measures) lines.push('', `## ${p.id}: measured`, '', ...Object.entries(p.measures).map(([k, n]) => `- ${k}: ${n}`), ...measureShares(p.measures).map((s) => `- ${s}`));
    if (p.knownDivergences) lines.push('', `## ${p.id}: known divergences`, '', ...Object.entries(p.knownDivergences).map(([id, n]) => `- ${id}: ${n} case${n === 1 ? '' : 's'} (explained by the adapter's known-divergences file)`));
    if (p.unknownReasons.length > 0) lines.push('', `## ${p.id}: unknown`, '', ...p.unknownReasons.map((u) => `- ${u}${p.unknownByReason?.[u] !== undefined ? ` (${p.unknownByReason[u]} case${p.unknownByReason[u] === 1 ? '' : 's'})` : ''}`));
  }
  return `${lines.join('\n')}\n`;
}
