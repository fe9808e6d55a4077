// The history page (`podflow history`, DIR/index.html): one self-contained file — inline CSS and SVG, no scripts,
// no external URL — with small plots over time (cases/s, cases checked, failures and new ones, coverage) and a
// row per run linking its report.html.
import type { CumulativeCoverage, HistoryRow } from '../history.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function num(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

interface Series {
  label: string;
  cls: string;
  values: (number | undefined)[];
}

const W = 320;
const H = 120;
const PAD = { left: 40, right: 10, top: 18, bottom: 22 };

/** One small line plot over the runs in time order (x: the run's place, equally spaced; y: from 0 to the maximum). */
export function plotSvg(title: string, series: readonly Series[], rows: readonly HistoryRow[], digits = 0): string {
  const n = rows.length;
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v))));
  const top = max > 0 ? max : 1;
  const x = (i: number): number => PAD.left + (n <= 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (n - 1));
  const y = (v: number): number => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top);
  const parts = [
    `<svg class="plot" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`,
    `<text x="${PAD.left}" y="12" class="title">${esc(title)}</text>`,
    `<line x1="${PAD.left}" y1="${y(0)}" x2="${W - PAD.right}" y2="${y(0)}" class="axis"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${y(0)}" class="axis"/>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + 4}" class="tick" text-anchor="end">${esc(num(top, max > 0 && max < 10 ? digits : 0))}</text>`,
    `<text x="${PAD.left - 4}" y="${y(0)}" class="tick" text-anchor="end">0</text>`,
  ];
  if (n > 0) {
    parts.push(`<text x="${PAD.left}" y="${H - 6}" class="tick">${esc((rows[0]!.startedAt ?? '').slice(0, 16).replace('T', ' '))}</text>`);
    if (n > 1) parts.push(`<text x="${W - PAD.right}" y="${H - 6}" class="tick" text-anchor="end">${esc((rows[n - 1]!.startedAt ?? '').slice(0, 16).replace('T', ' '))}</text>`);
  }
  for (const s of series) {
    const pts = s.values.map((v, i) => (v === undefined || !Number.isFinite(v) ? undefined : ([x(i), y(v), v, i] as const))).filter((p) => p !== undefined);
    if (pts.length > 1) parts.push(`<polyline class="${s.cls}" fill="none" points="${pts.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`);
    for (const [px, py, v, i] of pts) parts.push(`<circle class="${s.cls}" cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="2.5"><title>${esc(`${rows[i]!.runId}: ${s.label} ${num(v, digits)}`)}</title></circle>`);
  }
  if (series.length > 1) series.forEach((s, k) => parts.push(`<text x="${W - PAD.right - 4 - k * 90}" y="12" class="legend ${s.cls}" text-anchor="end">${esc(s.label)}</text>`));
  parts.push('</svg>');
  return parts.join('');
}

const CSS = `body{font-family:Helvetica,Arial,sans-serif;margin:1.5em 2em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;vertical-align:top;text-align:left}
td.n{text-align:right}td.valid{color:#1b5e20}td.invalid{color:#b71c1c}td.unknown{color:#8d6e00}
tr.invalid{background:#fdecea}tr.unknown{background:#fff8e1}tr.valid{background:#f1f8e9}
.badge{display:inline-block;border-radius:3px;padding:0 5px;font-size:85%;color:#fff;background:#b71c1c}
.plots{display:flex;flex-wrap:wrap;gap:12px}svg.plot{border:1px solid #ddd;background:#fff}
svg .title{font-size:11px;font-weight:bold}svg .tick,svg .legend{font-size:9px;fill:#555}svg .axis{stroke:#999}
polyline.a{stroke:#1565c0;stroke-width:1.5}circle.a{fill:#1565c0}polyline.b{stroke:#b71c1c;stroke-width:1.5}circle.b{fill:#b71c1c}
text.legend.a{fill:#1565c0}text.legend.b{fill:#b71c1c}small{color:#555}`;

/** DIR/index.html for the rows of `podflow history` (time order). */
export function historyHtml(rows: readonly HistoryRow[], o: { dir: string; cumulative?: readonly CumulativeCoverage[] }): string {
  const plots = [
    plotSvg('cases/s', [{ label: 'cases/s', cls: 'a', values: rows.map((r) => r.casesPerSecond) }], rows, 1),
    plotSvg('cases checked', [{ label: 'checked', cls: 'a', values: rows.map((r) => r.checked) }], rows),
    plotSvg('failures', [{ label: 'counterexamples', cls: 'a', values: rows.map((r) => r.counterexamples) }, { label: 'new', cls: 'b', values: rows.map((r) => r.newFailures) }], rows),
    plotSvg('coverage', [{ label: 'graph nodes', cls: 'a', values: rows.map((r) => r.nodes) }, { label: 'drop reasons', cls: 'b', values: rows.map((r) => r.coverage.find((c) => c.category === 'drop reasons')?.hit) }], rows),
  ];
  const cumulative = (o.cumulative ?? [])
    .map((c) => {
      const cats = c.summary.filter((x) => x.total > 0);
      const never = cats.flatMap((x) => x.unhit.map((k) => `<code>${esc(k)}</code>`));
      return `<tr><td><code>${esc(c.adapter)}</code></td><td class="n">${c.runs}</td><td>${cats.map((x) => `${esc(x.category)} ${x.hit}/${x.total}`).join(', ')}</td><td>${never.join(', ') || '—'}</td></tr>`;
    })
    .join('\n');
  const body = rows
    .map((r) => {
      const link = `${encodeURIComponent(r.folder)}/report.html`;
      const versions = [r.podflowVersion ? `podflow ${r.podflowVersion}` : '', r.gitCommit ? `commit ${r.gitCommit.slice(0, 12)}` : '', r.dataPath ? `data path: ${r.dataPath}` : ''].filter(Boolean).join('\n');
      return `<tr class="${r.verdict}"><td>${esc((r.startedAt ?? '—').replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td><td><a href="${esc(link)}"${versions ? ` title="${esc(versions)}"` : ''}><code>${esc(r.runId)}</code></a></td><td><code>${esc(r.adapter)}</code></td><td class="n">${r.seed}</td><td>${esc(r.status)}</td><td class="${r.verdict}">${r.verdict}</td><td class="n">${r.checked}</td><td class="n">${r.durationMs !== undefined ? `${num(r.durationMs / 1000, 1)} s` : '—'}</td><td class="n">${r.casesPerSecond !== undefined ? num(r.casesPerSecond, 1) : '—'}</td><td class="n"${r.coverage.length ? ` title="${esc(r.coverage.map((c) => `${c.category} ${c.hit}/${c.total}`).join('\n'))}"` : ''}>${r.nodes} / ${r.aclRules}</td><td class="n">${r.counterexamples}${r.newFailures > 0 ? ` <span class="badge">${r.newFailures} new</span>` : ''}</td><td><small>${esc(r.dataPath ?? '—')}</small></td></tr>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>podflow history: ${esc(o.dir)}</title>
<style>${CSS}</style>
</head><body>
<h1>podflow history <small>${rows.length} run${rows.length === 1 ? '' : 's'} in <code>${esc(o.dir)}</code></small></h1>
<div class="plots">${plots.join('\n')}</div>
<table class="runs"><tr><th>started (UTC)</th><th>run</th><th>adapter</th><th>seed</th><th>status</th><th>verdict</th><th>checked</th><th>duration</th><th>cases/s</th><th>coverage<br/><small>graph nodes / ACL rules</small></th><th>counterexamples</th><th>data path</th></tr>
${body}
</table>
${cumulative ? `<h2>Coverage across runs</h2>
<table class="runs"><tr><th>adapter</th><th>runs</th><th>hit by any run</th><th>hit by no run</th></tr>
${cumulative}
</table>` : ''}
</body></html>
`;
}
