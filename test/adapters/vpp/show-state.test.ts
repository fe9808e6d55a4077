// A VPP node's configuration from its `show` output (show-state.ts), on what VPP 26.06 printed for a configured
// node (test/fixtures/vpp-show/): what configuration decides is kept, by name; what changes by itself is not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configStateDiff } from '../../../src/adapters/adapter.ts';
import { aclAttachments, aclRules, fibForwarding, interfaceNames, SHOW_COMMANDS, staticL2fib, staticNeighbours, vppConfigState, type ShowOutputs } from '../../../src/adapters/vpp/show-state.ts';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'vpp-show');
const out = Object.fromEntries(Object.keys(SHOW_COMMANDS).map((k) => [k, readFileSync(join(dir, `${k}.txt`), 'utf8')])) as ShowOutputs;

describe('show-state', () => {
  it('static neighbours and L2 FIB entries, by interface name', () => {
    expect(staticNeighbours(out.neighbours)).toEqual(['10.1.1.2 00:00:00:00:00:02 pg5 static', '10.1.1.3 00:00:00:00:00:02 pg6 static', '192.168.16.2 08:00:27:00:00:02 host-gbe static', '192.168.30.2 1a:2b:3c:4d:5e:02 loop0 static']);
    expect(staticL2fib(out.l2fib)).toEqual(['bd 1 1a:2b:3c:4d:5e:01 loop0 static bvi', 'bd 1 1a:2b:3c:4d:5e:02 vxlan_tunnel0 static']);
    // a learned (dynamic) neighbour is not configuration
    expect(staticNeighbours(out.neighbours.replace(/ S {4}00:00:00:00:00:02 pg5/, ' D    00:00:00:00:00:02 pg5'))).not.toContain('10.1.1.2 00:00:00:00:00:02 pg5 static');
  });

  it('what each prefix forwards to, a recursive route as the adjacency it resolves to, without indices', () => {
    const f = fibForwarding(out.fib);
    expect(f).toContain('10.1.2.0/24 via 192.168.30.2 loop0');
    expect(f).toContain('10.1.1.2/32 via 10.1.1.2 pg5');
    expect(f).toContain('192.168.16.1/32 receive 192.168.16.1 on host-gbe');
    expect(f).toContain('192.168.30.0/24 glean loop0');
    expect(f).toContain('0.0.0.0/0 drop');
    expect(f.join('\n')).not.toMatch(/index|\[@|uRPF/);
    // counters and load-balance indices change with traffic and re-adds: not configuration
    expect(fibForwarding(out.fib.replace(/index:20 buckets:1 uRPF:24 to:\[2:80\]/, 'index:44 buckets:1 uRPF:61 to:[90:9000]'))).toEqual(f);
  });

  it('ACL attachments name the ACL by its rules, in list order, and the interface by name', () => {
    const a = aclAttachments(out.aclInterfaces, aclRules(out.acls), interfaceNames(out.ifIndex));
    expect(a).toContain('pg5 input [permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0 proto 0 sport 0-65535 dport 0-65535]');
    expect(a.filter((l) => l.startsWith('pg6 output [permit src 10.1.1.2/32 dst 0.0.0.0/0 proto 6 sport 0-65535 dport 80 ;'))).toHaveLength(1);
    expect(a.every((l) => !/\bacl \d/.test(l))).toBe(true);
  });

  it('the same configuration under other ACL indices is the same state; a missing item is a difference', () => {
    const s = vppConfigState(1, out);
    // ACLs renumbered (deleted and created again): same rules, same attachments
    const swap = (t: string): string => t.replace(/acl-index 3 /, 'acl-index X ').replace(/acl-index 4 /, 'acl-index 3 ').replace(/acl-index X /, 'acl-index 4 ');
    const swapped = { ...out, acls: swap(out.acls), aclInterfaces: out.aclInterfaces.replace(/output acl\(s\): 3$/gm, 'output acl(s): Y').replace(/output acl\(s\): 4$/gm, 'output acl(s): 3').replace(/output acl\(s\): Y$/gm, 'output acl(s): 4') };
    expect(swapped.aclInterfaces).not.toBe(out.aclInterfaces);
    expect(configStateDiff(s, vppConfigState(1, swapped))).toEqual([]);
    // a static neighbour deleted
    const drifted = { ...out, neighbours: out.neighbours.split('\n').filter((l) => !l.includes('192.168.30.2')).join('\n') };
    expect(configStateDiff(s, vppConfigState(1, drifted))).toEqual([{ key: 'node 1 neighbours', onlyA: '192.168.30.2 1a:2b:3c:4d:5e:02 loop0 static' }]);
    // an interface left down
    const down = { ...out, interfaces: out.interfaces.replace('pg5 (up):', 'pg5 (dn):') };
    expect(configStateDiff(s, vppConfigState(1, down))).toEqual([{ key: 'node 1 interfaces', onlyA: 'pg5 up', onlyB: 'pg5 dn' }]);
    expect(Object.keys(s).sort()).toEqual(['node 1 acls', 'node 1 interfaces', 'node 1 l2fib', 'node 1 nat44', 'node 1 neighbours', 'node 1 routes']);
    expect(s['node 1 nat44']).toEqual(expect.arrayContaining(['identity mapping UDP 192.168.16.1:4789 vrf 0', 'interface host-gbe output-feature in out', 'pool 192.168.16.1']));
  });
});
