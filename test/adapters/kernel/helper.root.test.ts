// The netns helper's long-lived command paths on the real kernel (needs root, ip, bridge, nft, python3; CI installs
// them and fails here instead of skipping): `ip|bridge -n NS -force -batch -` steps go to one batch process per
// namespace that stays up, and must answer each batch as a one-shot process would (failures numbered from the
// batch's first line, later lines still run, a process that exits is started again); a device made again must be
// found by its new index after `respawn`; `nft -f -` loads through libnftables with nft's exit status and message.
// One namespace of its own (pf-<pid>-…), removed afterwards.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { deleteNamespacesSync, listNamespaces } from '../../../src/adapters/kernel/cleanup.ts';
import { combinedSteps, runWith, stepFailure } from '../../../src/adapters/kernel/exec.ts';
import { NetnsHelper } from '../../../src/adapters/kernel/helper.ts';
import { runPrefix } from '../../../src/adapters/kernel/names.ts';
import { IN_CI, toolGate } from '../../support/external-tools.ts';

const isRoot = process.getuid?.() === 0;
const gate = toolGate({ tools: ['ip', 'bridge', 'nft', 'python3'] });
const reason = !isRoot ? 'not running as root' : gate.reason;
const skip = reason !== undefined && !IN_CI;
if (skip) console.warn(`[kernel] skipping the netns helper tests: ${reason}`);
const require = () => {
  if (reason !== undefined) throw new Error(`CI is set, so the netns helper tests fail instead of skipping: ${reason}`);
};

describe.skipIf(skip)(`netns helper batch processes and libnftables${reason ? ` (${reason})` : ''}`, () => {
  const ns = `${runPrefix(process.pid, randomBytes(3).toString('hex'))}h`;
  const h = new NetnsHelper();
  const links = async () => (await h.exec(ns, ['ip', '-br', 'link', 'show'])).stdout;

  afterAll(async () => {
    await h.forget([ns]);
    await h.stop();
    deleteNamespacesSync([ns]);
    expect(listNamespaces()).not.toContain(ns);
  });

  test('a batch answers as a one-shot process would, on a process that stays up', async () => {
    require();
    await runWith(h, [], [['ip', 'netns', 'add', ns]]);
    const batch = (lines: string[]) => ({ argv: ['ip', '-n', ns, '-force', '-batch', '-'], input: lines.map((l) => `${l}\n`).join('') });
    // line 2 fails, line 3 still runs (-force)
    let [r] = await h.runSteps([batch(['link add name d0 type veth peer name d0p', 'link set dev nosuch up', 'link add name d1 type veth peer name d1p'])], true);
    expect(r!.status).toBe(1);
    expect(r!.stderr).toMatch(/Cannot find device "nosuch"\nCommand failed -:2\n$/);
    expect(await links()).toMatch(/\bd1\b/);
    // the next batch is numbered from 1 again, and a batch without failures says so
    [r] = await h.runSteps([batch(['link set dev d0 up', 'link set dev nosuch up'])], true);
    expect(r).toEqual({ status: 1, stderr: expect.stringMatching(/^Cannot find device "nosuch"\nCommand failed -:2\n$/) });
    [r] = await h.runSteps([batch(['link set dev d1 up'])], true);
    expect(r).toEqual({ status: 0, stderr: '' });
    // exec.ts reads the failing line of a batch back to the command, a failed deletion is not a failure
    const steps = combinedSteps([['ip', '-n', ns, 'link', 'del', 'dev', 'gone']], [['ip', '-n', ns, 'link', 'add', 'name', 'd0', 'type', 'veth', 'peer', 'name', 'd0p']]);
    const [s] = steps;
    const [res] = await h.runSteps([{ argv: s!.argv, input: s!.input! }], true);
    expect(stepFailure(s!, res!.status, res!.stderr)?.argv).toEqual(['ip', '-n', ns, 'link', 'add', 'name', 'd0', 'type', 'veth', 'peer', 'name', 'd0p']);
    // a batch of another tool in the same namespace has its own process
    const [b] = await h.runSteps([{ argv: ['bridge', '-n', ns, '-force', '-batch', '-'], input: 'fdb show dev nosuch\n' }], true);
    expect(b!.status).toBe(1);
    expect(b!.stderr).toMatch(/Command failed -:1\n$/);
  });

  test('a device made again is found by its new index after respawn', async () => {
    require();
    const step = (line: string) => ({ argv: ['ip', '-n', ns, '-force', '-batch', '-'], input: `${line}\n` });
    await h.runSteps([step('link add name d2 type veth peer name d2p')], true);
    expect((await h.runSteps([step('addr add 10.9.9.1/32 dev d2')], true))[0]!.status).toBe(0);
    expect((await h.exec(ns, ['ip', 'link', 'del', 'dev', 'd2'])).status).toBe(0);
    expect((await h.exec(ns, ['ip', 'link', 'add', 'name', 'd2', 'type', 'veth', 'peer', 'name', 'd2p'])).status).toBe(0);
    await h.respawn([ns]);
    const [r] = await h.runSteps([step('addr add 10.9.9.1/32 dev d2')], true);
    expect(r).toEqual({ status: 0, stderr: '' });
    expect((await h.exec(ns, ['ip', '-br', 'addr', 'show', 'dev', 'd2'])).stdout).toMatch(/10\.9\.9\.1\/32/);
  });

  test('nft -f - loads through the helper with nft\'s status and message', async () => {
    require();
    const ok = await h.exec(ns, ['nft', '-f', '-'], 'flush ruleset\ntable inet t {\n  chain c {\n    type filter hook forward priority 0; policy accept;\n    iifname "d0" drop\n  }\n}\n');
    expect(ok.status).toBe(0);
    expect((await h.exec(ns, ['nft', 'list', 'ruleset'])).stdout).toMatch(/iifname "d0" drop/);
    const bad = await h.exec(ns, ['nft', '-f', '-'], 'flush ruleset\ntable inet t {\n  chain c {\n    iifname "d0" frobnicate\n  }\n}\n');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Error: syntax error/);
    // a failed load changes nothing (one transaction)
    expect((await h.exec(ns, ['nft', 'list', 'ruleset'])).stdout).toMatch(/iifname "d0" drop/);
  });
});
