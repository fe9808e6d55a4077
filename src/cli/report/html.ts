// report.html: a self-contained page (no external assets) with the run, per property its runs, verdict and
// time, and per counterexample the details, the replay line and its files.
import { overallVerdict, type RunResult } from '../results.ts';
import type { CounterexampleFiles } from './write.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function reportHtml(r: RunResult, files: CounterexampleFiles[]): string {
  const rows = r.properties
    .map((p) => `<tr class="${p.verdict}"><td>${esc(p.id)}</td><td>${p.runs}</td><td>${p.verdict}</td><td>${(p.timeMs / 1000).toFixed(1)} s</td><td>${esc(p.seedSteps.join(', '))}</td></tr>`)
    .join('\n');
  const cxs = r.properties
    .flatMap((p) => p.counterexamples.map((cx) => ({ p, cx, f: files.find((x) => x.id === cx.id) })))
    .map(
      ({ p, cx, f }) => `<section><h2>${esc(p.id)} — counterexample ${esc(cx.id)}</h2>
<p>${esc(cx.details)}</p>
${cx.expected !== undefined || cx.received !== undefined ? `<p><b>EXPECTED</b> ${esc(cx.expected ?? '—')} <b>RECEIVED</b> ${esc(cx.received ?? '—')}</p>` : ''}
<p>Seed steps: ${esc(cx.seedSteps.join(', '))}. Replay: <code>npx podflow replay ${esc(cx.id)}</code> (fast-check seed ${cx.seed}, path ${esc(cx.path)})</p>
${f ? `<p>Files: <code>counterexamples/${esc(cx.id)}/</code> ${[...(f.received?.keys() ?? [])].map((k) => esc(k)).join(', ')}</p>` : ''}
<details><summary>case</summary><pre>${esc(JSON.stringify(cx.case, null, 2))}</pre></details>
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>podflow ${esc(r.info.runId)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}.invalid{background:#fdd}.unknown{background:#ffd}.valid{background:#efe}pre{background:#f6f6f6;padding:8px;overflow:auto}</style>
</head><body>
<h1>podflow fuzz ${esc(r.info.runId)}: ${overallVerdict(r)}</h1>
<p>adapter <code>${esc(r.info.adapter)}</code>, seed ${r.info.seed}${r.info.interrupted ? ', interrupted' : ''}</p>
<table><tr><th>property</th><th>runs</th><th>verdict</th><th>time</th><th>seed steps</th></tr>
${rows}
</table>
${cxs}
</body></html>
`;
}
