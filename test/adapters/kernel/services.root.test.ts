// The kernel adapter's Services, host and outside traffic against the real kernel (docs/datapath.md §16, §17;
// test/support/service-flows.ts): DNAT by nftables, replies un-translated by conntrack, self-twice-NAT to the NAT
// loopback, masquerade to the node IP towards the gateway, a host namespace behind tap0. Needs root, iproute2,
// nftables and python3; skips with the reason elsewhere — except under CI, where it fails instead.
import { afterAll, describe } from 'vitest';
import { KernelAdapter } from '../../../src/adapters/kernel/kernel-adapter.ts';
import { IN_CI, toolGate } from '../../support/external-tools.ts';
import { serviceFlowTests } from '../../support/service-flows.ts';

const isRoot = process.getuid?.() === 0;
const gate = toolGate({ tools: ['ip', 'bridge', 'nft', 'python3', 'sysctl'] });
const reason = !isRoot ? 'not running as root' : gate.reason;
const skip = reason !== undefined && !IN_CI;
if (skip) console.warn(`[kernel] skipping the kernel Services tests: ${reason}`);

describe.skipIf(skip)(`kernel adapter: Services, host and outside traffic${reason ? ` (${reason})` : ''}`, () => {
  const adapters: KernelAdapter[] = [];
  afterAll(async () => {
    for (const a of adapters) await a.teardown();
  });
  serviceFlowTests(async () => {
    if (reason !== undefined) throw new Error(`CI is set, so the kernel adapter tests fail instead of skipping: ${reason}`);
    const a = new KernelAdapter();
    adapters.push(a);
    return a;
  });
});
