// Link flaps, a node restart and a pod replaced on a real VPP lab (skip and CI rules of test/adapters/vpp/lab.test.ts:
// PODFLOW_VPP_LAB=lab.yaml of a running lab, or PODFLOW_VPP_BIN=/path/to/bin/vpp to start a local 2-node lab as root;
// without either they skip and say why, except under CI, where they fail): after each fault VPP holds what the model
// says — static neighbours, static L2 FIB entries, ACL attachments, ACL sessions per interface, NAT sessions — and the
// open connections' next packets pass or drop as the model's do. node-restart needs a local lab (podflow restarts
// only VPPs it started); on another lab that test skips and says so.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { readLabFile, type LabFile } from '../../src/adapters/vpp/lab-file.ts';
import { isLocalLab, readLabState } from '../../src/adapters/vpp/local-lab.ts';
import { VppAdapter } from '../../src/adapters/vpp/vpp-adapter.ts';
import { IN_CI } from '../support/external-tools.ts';
import { withOpenConnections } from '../support/open-connections.ts';
import { VPP_LAB_SKIP, vppLabHooks, vppLabTitle } from '../support/vpp-lab.ts';

describe.skipIf(VPP_LAB_SKIP)(vppLabTitle(`VPP lab: link flaps, node restart, pod replaced`), () => {
  let lab: LabFile;
  const adapters: VppAdapter[] = [];

  vppLabHooks({ nodes: 2, tag: 'f', onUp: (l: LabFile) => { lab = l; }, adapters });

  /** The lab's state of one node as the model can say it: per lab interface, sessions, neighbours, L2 FIB, ACLs. */
  const labState = (a: VppAdapter, node: number) => {
    const argv = a.labNodeOf(node).lab.vppctl;
    const v = (...args: string[]) => execFileSync(argv[0]!, [...argv.slice(1), ...args], { encoding: 'utf8' });
    const names = new Map([...v('show', 'interface').matchAll(/^(\S+)\s+(\d+)\s/gm)].map((m) => [Number(m[2]), m[1]!]));
    const sessions: Record<string, number> = {};
    for (const m of v('show', 'acl-plugin', 'sessions').matchAll(/sw_if_index (\d+): add \d+ - del \d+ = (\d+)/g)) if (Number(m[2]) > 0) sessions[names.get(Number(m[1]))!] = Number(m[2]);
    const neighbours = [...v('show', 'ip', 'neighbors').matchAll(/^\s*\S+\s+(\d+\.\d+\.\d+\.\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`).sort();
    // MAC, static flag, BVI flag and interface name (the If-Idx column changes when interfaces are made again)
    const l2fib = [...v('show', 'l2fib', 'verbose').matchAll(/^\s*([0-9a-f:]{17})\s+\d+\s+\d+\s+\S+\s+\S+\s+(\S)\s+\S\s+(\S)\s+(\S+)\s*$/gm)].map((m) => `${m[1]} static:${m[2]} bvi:${m[3]} ${m[4]}`).sort();
    // per interface, the ACLs attached (lab indices renumber on a restart: the rules' text names them instead)
    const aclText = v('show', 'acl-plugin', 'acl');
    const rulesOf = new Map([...aclText.matchAll(/^acl-index (\d+) count \d+ tag \{([^}]*)\}/gm)].map((m) => [m[1]!, m[2]!]));
    const attached: Record<string, string> = {};
    for (const m of v('show', 'acl-plugin', 'interface').matchAll(/sw_if_index (\d+):\s*\n((?:\s+(?:input|output) acl\(s\):.*\n?)*)/g)) {
      const lines = m[2]!.trim().split('\n').filter((l) => /acl\(s\): \d/.test(l)).map((l) => l.trim().replace(/[\d, ]+$/, (ids) => ids.split(',').map((i) => rulesOf.get(i.trim()) ?? i.trim()).join(',')));
      if (lines.length > 0) attached[names.get(Number(m[1]))!] = lines.join(' | ');
    }
    const nat = Number(/(\d+) sessions/.exec(v('show', 'nat44', 'sessions'))?.[1] ?? 0);
    return { sessions, neighbours, l2fib, attached, nat };
  };

  /** The model's sessions per lab interface after the same calls and fault. */
  const modelSessions = async (real: VppAdapter, f: Fault | undefined, node: number) => {
    const m = new ReferenceAdapter({ profile: 'vpp-current' });
    await withOpenConnections(m);
    if (f) await m.fault(f);
    const vpp = m.simulation.vpps.get(node)!;
    const toLab = real.labNodeOf(node).toLab;
    const out: Record<string, number> = {};
    for (const x of vpp.aclSessions.byKey.values()) {
      const name = toLab.get(vpp.ifBySw.get(x.swIfIndex)!.name)!;
      out[name] = (out[name] ?? 0) + 1;
    }
    return { sessions: out, nat: vpp.natSessions.byKey.size };
  };

  /** Opens the connections, performs the fault on the lab and the model, compares state and next packets. */
  const check = async (f: Fault) => {
    const real = new VppAdapter(lab, { name: 'vpp' });
    adapters.push(real);
    const { send } = await withOpenConnections(real);
    const model = await withOpenConnections(new ReferenceAdapter({ profile: 'vpp-current' }));
    const before = [1, 2].map((n) => labState(real, n));
    await real.fault(f);
    await model.adapter.fault(f);
    // the acl-plugin's cleaner deletes sessions a moment after the CLI returns
    await new Promise((r) => setTimeout(r, 500));
    const after = [1, 2].map((n) => labState(real, n));
    for (const node of [1, 2]) {
      const want = await modelSessions(real, f, node);
      expect(after[node - 1]!.sessions, `${f.id}: node ${node} sessions`).toEqual(want.sessions);
      // static configuration is back as it was (neighbours, L2 FIB, ACLs by their rules)
      expect(after[node - 1]!.neighbours, `${f.id}: node ${node} neighbours`).toEqual(before[node - 1]!.neighbours);
      expect(after[node - 1]!.l2fib, `${f.id}: node ${node} l2fib`).toEqual(before[node - 1]!.l2fib);
      expect(after[node - 1]!.attached, `${f.id}: node ${node} ACL attachments`).toEqual(before[node - 1]!.attached);
      // NAT44 sessions: the model's count on a restarted node (none), otherwise what the lab had
      if (f.id === 'node-restart' && f.node === node) expect([after[node - 1]!.nat, want.nat]).toEqual([0, 0]);
      else expect(after[node - 1]!.nat, `${f.id}: node ${node} NAT sessions`).toBe(before[node - 1]!.nat);
    }
    // not vacuous: there were sessions and neighbours to lose
    expect(Object.keys(before[0]!.sessions).length).toBeGreaterThan(0);
    expect(before[0]!.neighbours.length).toBeGreaterThan(2);
    expect(before[0]!.l2fib.length).toBe(2);
    expect(Object.keys(before[0]!.attached).length).toBeGreaterThan(2);
    // the open connections' next packets and a new connection: as on the model
    const probes: [string, string, number, number, number][] = [['web-a', 'client', 80, 40000, 0x10], ['web-b', 'client', 80, 40000, 0x10], ['client', 'web-a', 40001, 80, 0x02], ['web-a', 'client', 80, 40001, 0x12]];
    for (const p of probes) expect(await send(...p), `${f.id}: ${p[0]} -> ${p[1]}`).toBe(await model.send(...p));
    await real.teardown();
    return { before, after };
  };

  it.each([
    [1, 'loop0'],
    [1, 'main-nic'],
    [2, 'loop0'],
    [2, 'main-nic'],
  ] as const)('link-flap on node %i of %s: neighbours, L2 FIB, ACLs, ACL and NAT sessions kept (as the model says)', async (node, link) => {
    const { before, after } = await check({ id: 'link-flap', node, link });
    expect(after[node - 1]!.sessions).toEqual(before[node - 1]!.sessions);
  }, 300_000);

  it('pod-replaced: only the pod interface sessions gone, the interface back with its neighbour and ACLs (as the model says)', async () => {
    const { before, after } = await check({ id: 'pod-replaced', node: 1, pod: 'default/client' });
    expect(Object.keys(after[0]!.sessions).length).toBeLessThan(Object.keys(before[0]!.sessions).length);
  }, 300_000);

  it('node-restart (local lab): a new VPP process, configured again; its sessions gone, the other node untouched (as the model says)', async (ctx) => {
    if (!isLocalLab(lab)) {
      if (IN_CI) throw new Error('CI is set: node-restart needs a local lab (podflow lab vpp up)');
      ctx.skip();
    }
    const pid = lab.nodes.find((n) => n.id === 2)!.pid;
    const { before, after } = await check({ id: 'node-restart', node: 2 });
    expect(after[1]!.sessions).toEqual({});
    expect(after[0]!.sessions).toEqual(before[0]!.sessions);
    // the restarted process is recorded where `lab vpp down` finds it
    const state = readLabState(lab.token!).nodes.find((n) => n.id === 2)!;
    expect(state.pid).not.toBe(pid);
    expect(readLabFile(join(lab.runDir!, 'lab.yaml')).nodes.find((n) => n.id === 2)!.pid).toBe(state.pid);
  }, 300_000);
});
