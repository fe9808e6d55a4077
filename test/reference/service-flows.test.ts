// The Service flows of examples/flows/ (docs/datapath.md §16.6) through the model in both profiles: the request is
// translated exactly once (one DNAT session in the whole cluster) to a local of the Service, the reply reaches the
// client with the Service address and port as its source, and nothing is dropped.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ip4ToString } from '../../src/packet/index.ts';
import { natTuple } from '../../src/reference/nodes/nat-common.ts';
import { Simulation, type PacketResult } from '../../src/reference/simulate.ts';
import type { ProfileName } from '../../src/reference/profiles.ts';
import { EXAMPLES, loadExample } from '../support/scenarios.ts';

// The Service flows (pod-to-service-*, nodeport-*); the host and outside ones are host-outside-flows.test.ts's.
const FLOWS = readdirSync(join(EXAMPLES, 'flows')).filter((f) => f.endsWith('.json') && /^(pod-to-service|nodeport)-/.test(f)).sort();
const PROFILES: ProfileName[] = ['vpp-18.01-contiv', 'vpp-current'];

/** The frame a packet ended with: delivered to a pod or the host, or (NodePort reply) sent out to the wire. */
function lastFrame(r: PacketResult): Uint8Array {
  const o = r.outcomes[r.outcomes.length - 1]!;
  expect(o.kind).not.toBe('dropped');
  if (o.kind === 'dropped') throw new Error('dropped');
  return o.frame;
}

const at = (a: number, p: number): string => `${ip4ToString(a)}:${p}`;

describe('Service flows of examples/flows/, both profiles', () => {
  test('the walks exist (same node, other node, host backend, self, NodePort from outside)', () => {
    expect(FLOWS).toEqual(['nodeport-from-outside.json', 'pod-to-service-host-backend.json', 'pod-to-service-other-node.json', 'pod-to-service-same-node.json', 'pod-to-service-self.json']);
  });

  for (const file of FLOWS) {
    for (const profile of PROFILES) {
      test(`${file} (${profile})`, () => {
        const sc = loadExample(`flows/${file}`);
        expect(sc.packets.length).toBe(2);
        const sim = new Simulation(sc, profile);
        const req = sim.inject(sc.packets[0]!, 0);
        const sent = natTuple(req.frames[0]!.data, 14);
        const got = natTuple(lastFrame(req), 14);
        // exactly one DNAT session in the cluster, and the request arrived at its backend
        const sessions = new Set([...sim.vpps.values()].flatMap((v) => [...v.natSessions.byKey.values()].filter((s) => s.dnat)));
        expect(sessions.size).toBe(1);
        const d = [...sessions][0]!.dnat!;
        expect(at(d.service.addr, d.service.port)).toBe(at(sent.dst, sent.dport));
        expect(at(got.dst, got.dport)).toBe(at(d.backend.addr, d.backend.port));
        expect(at(got.dst, got.dport)).not.toBe(at(sent.dst, sent.dport));
        // the reply: from the backend to the source it saw; the client sees the service address
        const reply = sim.inject(sc.packets[1]!, 1);
        const back = natTuple(lastFrame(reply), 14);
        expect(at(back.src, back.sport)).toBe(at(sent.dst, sent.dport));
        expect(at(back.dst, back.dport)).toBe(at(sent.src, sent.sport));
        for (const r of [req, reply]) for (const o of r.outcomes) expect(o.kind === 'delivered' || o.kind === 'host' || (o.kind === 'lost' && /destination MAC/.test(o.reason))).toBe(true);
      });
    }
  }
});
