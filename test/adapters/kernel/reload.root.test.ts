// The kernel adapter loads a node's ruleset only when its text changed (root, iproute2, nftables, python3; failing
// instead of skipping when CI is set): the same ACLs again load nothing and keep the sessions, other ACLs load and
// take effect, a resync and a node restart load again; what is loaded is always the rendering of the ACLs last
// applied. Its own namespaces (`pf-<pid>-…`), removed at the end.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { cleanupAllSync, listNamespaces } from '../../../src/adapters/kernel/cleanup.ts';
import { KernelAdapter } from '../../../src/adapters/kernel/kernel-adapter.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import { adapterAcls } from '../../../src/properties/harness.ts';
import { CLIENT_AND_WEB } from '../../support/clusters.ts';
import { withOpenConnections } from '../../support/open-connections.ts';
import { IN_CI, toolGate } from '../../support/external-tools.ts';

const isRoot = process.getuid?.() === 0;
const gate = toolGate({ tools: ['ip', 'bridge', 'nft', 'python3', 'sysctl'] });
const reason = !isRoot ? 'not running as root' : gate.reason;
const skip = reason !== undefined && !IN_CI;
if (skip) console.warn(`[kernel] skipping the ruleset reload tests: ${reason}`);

describe.skipIf(skip)(`kernel adapter: rulesets loaded when they change${reason ? ` (${reason})` : ''}`, () => {
  const adapters: KernelAdapter[] = [];
  afterAll(async () => {
    for (const k of adapters) await k.teardown();
    cleanupAllSync();
    expect(listNamespaces().filter((n) => n.startsWith(`pf-${process.pid}-`))).toEqual([]);
  });

  test('same ACLs: nothing loaded, sessions kept; other ACLs, a resync, a restart: loaded', async () => {
    if (reason !== undefined) throw new Error(`CI is set, so this test fails instead of skipping: ${reason}`);
    const k = new KernelAdapter();
    adapters.push(k);
    const { send } = await withOpenConnections(k);
    // which ct-mark bit stands for an interface's sessions changes when it lost its ACLs (its sessions retire)
    const rules = (slot: number) => spawnSync('ip', ['netns', 'exec', k.names.node(slot), 'nft', '-s', 'list', 'ruleset'], { encoding: 'utf8' }).stdout.replace(/0x[0-9a-f]{8}/g, '0x…');
    const r = renderCluster(CLIENT_AND_WEB);
    const loaded = [rules(0), rules(1)];
    const loads = k.stats.rulesetLoads;
    expect(loads).toBeGreaterThanOrEqual(2);
    // the same ACLs again: nothing loaded, the open connection's reply still passes by its session
    await k.apply(adapterAcls(r));
    expect(k.stats.rulesetLoads).toBe(loads);
    expect([rules(0), rules(1)]).toEqual(loaded);
    expect(await send('web-a', 'client', 80, 40000, 0x10)).toBe(true);
    // a resync loads every node again (what the fault means), sessions kept
    await k.fault({ id: 'acl-resync' });
    expect(k.stats.rulesetLoads).toBe(loads + 2);
    expect(await send('web-a', 'client', 80, 40000, 0x10)).toBe(true);
    // no policies: both nodes' rulesets change and load; isolated no more, a new connection to web-b on 8080 passes
    const open = renderCluster({ ...CLIENT_AND_WEB, policies: [] });
    await k.apply(adapterAcls(open));
    expect(k.stats.rulesetLoads).toBe(loads + 4);
    expect([rules(0), rules(1)]).not.toEqual(loaded);
    expect(await send('client', 'web-b', 40002, 8080, 0x02)).toBe(true);
    // the policies back: the first rendering loaded again, 8080 denied again
    await k.apply(adapterAcls(r));
    expect(k.stats.rulesetLoads).toBe(loads + 6);
    expect([rules(0), rules(1)]).toEqual(loaded);
    expect(await send('client', 'web-b', 40003, 8080, 0x02)).toBe(false);
    // a restarted node lost its ruleset with its namespace: loaded again, only there
    await k.fault({ id: 'node-restart', node: 2 });
    expect(k.stats.rulesetLoads).toBe(loads + 7);
    expect(rules(1)).toEqual(loaded[1]);
  }, 120_000);
});
