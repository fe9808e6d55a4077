// The claims added to make the catalogue kill model mutants (issue 12, item 7) each catch a data path that breaks
// them: fake data paths built on the reference model (one fault each), a pinned seed, and the claim code expected.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import type { Adapter, AdapterTopology, Observation } from '../../src/adapters/adapter.ts';
import { CHECK_CONTEXT } from '../../src/cli/fuzz-runner.ts';
import { ipv4HeaderChecksum, readU16 } from '../../src/packet/index.ts';
import { propertyById } from '../../src/properties/index.ts';
import type { Claim } from '../../src/properties/types.ts';

const SEED = 1207;

/** The reference model with `fault` applied to every observation (`ips`: pod IPv4 text → pod name). */
function faulty(name: string, fault: (o: Observation, ips: Map<number, string>, frames: Uint8Array[]) => void, inner: Adapter = new ReferenceAdapter()): Adapter {
  const ips = new Map<number, string>();
  return {
    name,
    capabilities: { ...inner.capabilities },
    async setup(t: AdapterTopology, o) {
      ips.clear();
      for (const n of t.nodes) for (const p of n.pods) ips.set(p.ip.split('.').reduce((a, b) => a * 256 + Number(b), 0), p.name);
      await inner.setup(t, o);
    },
    apply: (a) => inner.apply(a),
    reset: () => inner.reset(),
    teardown: () => inner.teardown(),
    async inject(f) {
      const o = await inner.inject(f);
      fault(o, ips, f.map((x) => x.frame));
      return o;
    },
  };
}

/** Every claim the property makes over `runs` generated cases on the adapter. */
async function claimsOn(id: string, adapter: Adapter, runs = 200): Promise<Claim[]> {
  const p = propertyById(id)!;
  const out: Claim[] = [];
  await fc.assert(
    fc.asyncProperty(p.arbitrary(), async (c) => {
      const v = await p.check(c, adapter, CHECK_CONTEXT);
      if (v.status === 'invalid') out.push(...v.claims);
    }),
    { seed: SEED, numRuns: runs },
  );
  return out;
}

const badIpChecksum = (f: Uint8Array): boolean => f.length >= 34 && readU16(f, 12) === 0x0800 && f[14] === 0x45 && ipv4HeaderChecksum(f, 14, 20) !== readU16(f, 24);

describe('odd-packets-are-contained', () => {
  test('a data path that delivers a datagram with a bad IPv4 header checksum is caught (must-drop-delivered)', async () => {
    const leaky = faulty('passes-bad-checksums', (o, ips, frames) => {
      frames.forEach((f, i) => {
        const to = ips.get(((f[30]! << 24) | (f[31]! << 16) | (f[32]! << 8) | f[33]!) >>> 0);
        if (badIpChecksum(f) && to) o.captures.push({ point: `pod:${to}:rx`, time: 0, packet: o.captures[0]?.packet ?? i, data: f });
      });
    });
    const claims = await claimsOn('odd-packets-are-contained', leaky);
    expect(claims.map((c) => `${c.code} ${c.probe} ${c.field}`)).toContain('must-drop-delivered bad-ip-checksum checksum');
  });

  test('an ICMP time-exceeded with a bad IPv4 checksum is caught (bad-icmp-error)', async () => {
    const stale = faulty('stale-icmp-checksum', (o) => {
      for (const c of o.captures) if (c.point.endsWith(':rx') && c.data[23] === 1 && c.data[34] === 11) (c.data = Uint8Array.from(c.data))[24]! ^= 0x40;
    });
    const claims = await claimsOn('odd-packets-are-contained', stale);
    expect(claims.map((c) => `${c.code} ${c.probe} ${c.layer} ${c.field}`)).toContain('bad-icmp-error ttl ipv4 checksum');
  });

  test('a data path that loses datagrams of 1500 bytes between pods of a node is caught (fitting-not-delivered)', async () => {
    const small = faulty('mtu-1400', (o) => {
      o.captures = o.captures.filter((c) => !(c.point.endsWith(':rx') && c.data.length > 1414));
    });
    const claims = await claimsOn('odd-packets-are-contained', small, 300);
    expect(claims.map((c) => c.code)).toContain('fitting-not-delivered');
  });

  test('a drop at another node or with another reason is caught where drop reasons are known (dropped-elsewhere)', async () => {
    const vague = faulty('vague-drops', (o) => {
      for (const fates of o.outcomes?.values() ?? []) for (const f of fates) if (f.kind === 'dropped') f.error = 'dropped';
    });
    const claims = await claimsOn('odd-packets-are-contained', vague);
    expect(claims.map((c) => c.code)).toContain('dropped-elsewhere');
  });
});

test('denied-connection-leaves-no-frame: a denied request dropped by another node than the denying ACL is caught (denied-elsewhere)', async () => {
  const vague = faulty('vague-acl-drops', (o) => {
    for (const fates of o.outcomes?.values() ?? []) for (const f of fates) if (f.kind === 'dropped') f.node = 'error-drop';
  });
  const claims = await claimsOn('denied-connection-leaves-no-frame', vague);
  expect(claims.map((c) => c.code)).toContain('denied-elsewhere');
});

test('session-expiry-on-virtual-clock: established sessions that expire after 120 s are caught (established-expiry)', async () => {
  const claims = await claimsOn('session-expiry-on-virtual-clock', new ReferenceAdapter({ sessions: { tcpIdle: 120 }, name: 'short-tcp-idle' }), 300);
  expect(claims.map((c) => c.code)).toContain('established-expiry');
});

test('connection-lifecycle: UDP flows whose sessions expire after 100 s are caught (open-connection-dropped, UDP)', async () => {
  const claims = await claimsOn('connection-lifecycle', new ReferenceAdapter({ sessions: { udpIdle: 100 }, name: 'short-udp-idle' }), 1500);
  expect(claims.filter((c) => c.code === 'open-connection-dropped').map((c) => c.protocol)).toContain('UDP');
});
