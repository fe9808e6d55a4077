// JUnit XML for CI systems: one testsuite per run, one testcase per property; invalid = failure (every
// counterexample with its claims, replay commands and report link), unknown = skipped.
import { join } from 'node:path';
import { replayCommands, type RunResult } from '../results.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function junitXml(r: RunResult, reportDir?: string): string {
  const failures = r.properties.filter((p) => p.verdict === 'invalid').length;
  const skipped = r.properties.filter((p) => p.verdict === 'unknown').length;
  const time = (ms: number): string => (ms / 1000).toFixed(3);
  const cases = r.properties.map((p) => {
    const head = `  <testcase classname="podflow.${esc(r.info.adapter)}" name="${esc(p.id)}" time="${time(p.timeMs)}">`;
    if (p.verdict === 'invalid') {
      // every counterexample, each with its claims and the commands that replay it, and where the report is
      const body = p.counterexamples
        .map((cx) => [`counterexample ${cx.id}: ${cx.details}`, ...(cx.claims ?? []).map((c) => `  - ${c.message}${c.point ? ` [${c.point}${c.layer || c.field ? ` ${[c.layer, c.field].filter(Boolean).join(' ')}` : ''}]` : ''}`), ...replayCommands(r, p, cx).map((l) => `  replay: ${l}`), `  report: ${join(reportDir ?? r.info.runId, 'report.html')}#cx-${cx.id}`].join('\n'))
        .join('\n\n');
      const cx = p.counterexamples[0]!;
      return `${head}\n    <failure message="${esc(cx.details)}">${esc(`run seed ${r.info.seed}; seed steps: ${p.seedSteps.join(', ')}\n${body}`)}</failure>\n  </testcase>`;
    }
    if (p.verdict === 'unknown') return `${head}\n    <skipped message="${esc(p.unknownReasons.join('; ') || 'unknown')}"/>\n  </testcase>`;
    return `${head}</testcase>`;
  });
  const total = r.properties.reduce((s, p) => s + p.timeMs, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="podflow fuzz ${esc(r.info.runId)}" tests="${r.properties.length}" failures="${failures}" skipped="${skipped}" time="${time(total)}">\n${cases.join('\n')}\n</testsuite>\n`;
}
