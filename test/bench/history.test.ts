// bench/history.jsonl: releases' figures, each figure of a run shown beside the last release that has it; a bad
// line is an error naming the file and line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goalsOf, HISTORY, numericFigures, readHistory, versusHistory, type HistoryEntry } from '../../bench/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-bench-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench history', () => {
  it('numeric figures by dotted path; strings and flags are not figures', () => {
    expect([...numericFigures({ node: 'v20', fuzz: { casesPerSecOneWorker: 5100, ok: true, by: { a: 1 } } })]).toEqual([
      ['fuzz.casesPerSecOneWorker', 5100],
      ['fuzz.by.a', 1],
    ]);
  });

  it('each figure beside the last release that has it, with the ratio (a slower rate shows below 1)', () => {
    const h: HistoryEntry[] = [
      { release: '0.1.0', date: '2026-12-01', node: 'v20', cpu: 'x', figures: { fuzz: { casesPerSecOneWorker: 5100 }, packet: { decodeFramesPerSec: 900 } } },
      { release: '0.2.0', date: '2026-12-04', node: 'v20', cpu: 'x', figures: { fuzz: { casesPerSecOneWorker: 10200 } } },
    ];
    expect(versusHistory({ fuzz: { casesPerSecOneWorker: 9180 }, packet: { decodeFramesPerSec: 1800 }, vpp: { new: 3 } }, h)).toEqual({
      'fuzz.casesPerSecOneWorker': { now: 9180, '0.2.0': 10200, ratio: 0.9 },
      'packet.decodeFramesPerSec': { now: 1800, '0.1.0': 900, ratio: 2 },
    });
  });

  it('a line that is not an entry is one error naming the file and line', () => {
    const f = join(dir, 'h.jsonl');
    writeFileSync(f, `${JSON.stringify({ release: '0.1.0', date: 'd', node: 'v20', cpu: 'x', figures: {} })}\n{"release": 1}\n`);
    expect(() => readHistory(f)).toThrow(`${f}:2: not a bench history entry`);
    writeFileSync(f, '{"release": "0.1.0", "da\n');
    expect(() => readHistory(f)).toThrow(`${f}:1: not a JSON line`);
    expect(readHistory(join(dir, 'none.jsonl'))).toEqual([]);
  });

  it('the goals a run measured, each with its target and whether it is met; unmeasured goals left out', () => {
    const g = goalsOf({ fuzz: { casesPerSecOneWorker: 12000 }, vpp: { fuzz: { casesPerSec: 28.9, vppCpuMsPerCase: 35.5, cliCommandsPerCase: 87 } } });
    const [ref, vpp] = Object.values(g) as Record<string, unknown>[];
    expect(Object.keys(g)).toHaveLength(2);
    expect(ref).toEqual({ figure: 'fuzz.casesPerSecOneWorker', measured: 12000, atLeast: 10000, met: true });
    // a goal not met says why, with the figures of the same run that show it (those it measured), and what would reach it
    expect(vpp).toMatchObject({ figure: 'vpp.fuzz.casesPerSec', measured: 28.9, atLeast: 200, met: false, evidence: { 'vpp.fuzz.vppCpuMsPerCase': 35.5, 'vpp.fuzz.cliCommandsPerCase': 87 } });
    expect(vpp!.why).toMatch(/CPU/);
    expect(vpp!.wouldReachIt).toMatch(/stats segment/);
    expect(Object.keys(vpp!.evidence as object)).toHaveLength(2);
  });

  it("the repository's history reads", () => {
    for (const e of readHistory(HISTORY)) expect(numericFigures(e.figures).size).toBeGreaterThan(0);
  });
});
