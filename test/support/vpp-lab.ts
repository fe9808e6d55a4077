// The VPP lab the lab tests run against: PODFLOW_VPP_LAB=lab.yaml (a running lab), or PODFLOW_VPP_BIN=/path/to/bin/vpp
// (a local lab started for the file and stopped after it, as root). Without either the tests skip and say why —
// except under CI, where they fail instead (test/support/external-tools.ts): podflow never ships or builds VPP, CI's
// .ci/run points PODFLOW_VPP_BIN at one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { readLabFile, type LabFile } from '../../src/adapters/vpp/lab-file.ts';
import { labDown, labUp } from '../../src/adapters/vpp/local-lab.ts';
import type { VppAdapter } from '../../src/adapters/vpp/vpp-adapter.ts';
import { IN_CI } from './external-tools.ts';

const LAB = process.env.PODFLOW_VPP_LAB;
const BIN = process.env.PODFLOW_VPP_BIN;
/** Why the lab tests cannot run here, or undefined. */
export const VPP_LAB_REASON = LAB || BIN ? undefined : 'no VPP lab: set PODFLOW_VPP_LAB=lab.yaml (a running lab) or PODFLOW_VPP_BIN=/path/to/bin/vpp';
/** Skip (outside CI, without a lab); under CI the tests run and fail with the reason instead. */
export const VPP_LAB_SKIP = VPP_LAB_REASON !== undefined && !IN_CI;
if (VPP_LAB_SKIP) console.warn(`[vpp] skipping the VPP lab tests: ${VPP_LAB_REASON}`);

/** A describe title that says why the lab tests skip or fail. */
export function vppLabTitle(title: string): string {
  return `${title}${VPP_LAB_REASON ? ` (${VPP_LAB_SKIP ? '' : 'CI set, failing: '}${VPP_LAB_REASON})` : ''}`;
}

/**
 * Inside a describe: before the tests, the lab (PODFLOW_VPP_LAB, or a local one of `nodes` nodes in a folder of its
 * own) given to `onUp`; after them, every adapter in `adapters` torn down and a lab started here stopped — by its
 * lab file on disk, which names VPPs a node-restart started since.
 */
export function vppLabHooks(o: { nodes: number; tag: string; onUp: (lab: LabFile) => void; adapters: readonly VppAdapter[] }): void {
  let started: LabFile | undefined;
  let runParent: string | undefined;
  beforeAll(async () => {
    if (VPP_LAB_REASON) throw new Error(`CI is set, so the VPP lab tests fail instead of skipping: ${VPP_LAB_REASON}`);
    if (LAB) o.onUp(readLabFile(LAB));
    else {
      runParent = mkdtempSync(join(tmpdir(), `pf-vpp-${o.tag}-`));
      started = (await labUp({ vpp: BIN!, nodes: o.nodes, runDir: join(runParent, 'lab'), tag: `${o.tag}${process.pid % 100000}` })).lab;
      o.onUp(started);
    }
  }, 120_000);
  afterAll(async () => {
    for (const a of o.adapters) await a.teardown().catch(() => {});
    if (started) labDown(readLabFile(join(started.runDir!, 'lab.yaml')));
    if (runParent) rmSync(runParent, { recursive: true, force: true });
  }, 120_000);
}
