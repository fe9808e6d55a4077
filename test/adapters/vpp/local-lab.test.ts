// The local lab's plan without starting anything: namespaces only (nothing in the root namespace), a startup
// configuration without hugepages or DPDK, and a lab file the adapter accepts.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseLabFile } from '../../../src/adapters/vpp/lab-file.ts';
import { LAB_NS_PREFIX, isLabVpp, labFileOf, planLocalLab, renderLabNetwork, startupConfig } from '../../../src/adapters/vpp/local-lab.ts';

const plan = planLocalLab('/opt/vpp/bin/vpp', 3, '/tmp/pf-lab', 'ab12');

describe('local VPP lab plan', () => {
  it('puts every node and the underlay in namespaces of its own', () => {
    expect(plan.underlay).toBe(`${LAB_NS_PREFIX}ab12-ul`);
    expect(plan.nodes.map((n) => n.netns)).toEqual(['pfvppab12-n1', 'pfvppab12-n2', 'pfvppab12-n3']);
    expect(plan.vppctl).toBe('/opt/vpp/bin/vppctl');
  });

  it('never touches the root namespace: every ip command names a namespace, no address or route anywhere', () => {
    for (const argv of renderLabNetwork(plan)) {
      expect(argv[0]).toBe('ip');
      expect(argv[1] === '-n' || (argv[1] === 'netns' && (argv[2] === 'add' || argv[2] === 'exec')), argv.join(' ')).toBe(true);
      expect(argv.join(' ')).not.toMatch(/ (addr|address|route) /);
      if (argv.includes('veth')) {
        // the peer end goes into the underlay namespace (its MTU may follow)
        const peer = argv.slice(argv.indexOf('peer'));
        expect(peer[peer.indexOf('netns') + 1], argv.join(' ')).toBe(plan.underlay);
      }
    }
    // The underlay bridge floods (MACs move between lab nodes from case to case).
    expect(renderLabNetwork(plan).filter((a) => a.includes('bridge_slave')).every((a) => a.join(' ').endsWith('learning off flood on'))).toBe(true);
  });

  it('starts VPP without DPDK or hugepages, with only the plugins the data path needs', () => {
    const conf = startupConfig('/tmp/pf-lab/node1', 'pfvppab12n1');
    expect(conf).toContain('cli-listen /tmp/pf-lab/node1/cli.sock');
    expect(conf).toContain('plugin default { disable }');
    for (const p of ['acl', 'nat', 'vxlan', 'af_packet', 'ping']) expect(conf).toContain(`plugin ${p}_plugin.so { enable }`);
    expect(conf).not.toContain('dpdk');
    expect(conf.match(/page-size 4k/g)).toHaveLength(3);
  });

  it('writes a lab file the adapter accepts', () => {
    const lab = labFileOf(plan, new Map([[1, 101], [2, 102], [3, 103]]));
    const back = parseLabFile(stringify(lab), 'lab.yaml');
    expect(back.nodes.map((n) => [n.id, n.pid, n.gbe, n.vppctl.join(' ')])).toEqual([
      [1, 101, 'host-gbe', '/opt/vpp/bin/vppctl -s /tmp/pf-lab/node1/cli.sock'],
      [2, 102, 'host-gbe', '/opt/vpp/bin/vppctl -s /tmp/pf-lab/node2/cli.sock'],
      [3, 103, 'host-gbe', '/opt/vpp/bin/vppctl -s /tmp/pf-lab/node3/cli.sock'],
    ]);
    expect(back.namespaces).toEqual(['pfvppab12-ul', 'pfvppab12-n1', 'pfvppab12-n2', 'pfvppab12-n3']);
  });

  it('rejects impossible sizes and tags, and recognises only its own VPP processes', () => {
    expect(() => planLocalLab('/x/vpp', 0, '/tmp/l', 'a')).toThrow(/--nodes: expected 1\.\.8/);
    expect(() => planLocalLab('/x/vpp', 2, '/tmp/l', 'Bad-Tag')).toThrow(/lab tag/);
    expect(isLabVpp(process.pid, '/tmp/pf-lab/node1/startup.conf')).toBe(false);
  });
});
