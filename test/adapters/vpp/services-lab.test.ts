// Against real VPP 26.06: Services as Contiv renders them in NAT44 (docs/datapath.md §16.2) and the host and outside
// traffic of docs/datapath.md §17, through the vpp adapter (applyServices, host injections on tap0's stand-in pg0,
// the default route to a gateway on the wire). A ClusterIP service with a backend on each node, self-access with
// self-twice-NAT, a NodePort reached from outside, pod → outside and back, host → pod and pod → host. Needs a lab:
// PODFLOW_VPP_LAB=lab.yaml, or PODFLOW_VPP_BIN=/path/to/bin/vpp (a local 2-node lab started for this file); without
// either the tests skip and say why — except under CI, where they fail instead (test/support/vpp-lab.ts).
import { describe } from 'vitest';
import type { LabFile } from '../../../src/adapters/vpp/lab-file.ts';
import { VppAdapter } from '../../../src/adapters/vpp/vpp-adapter.ts';
import { serviceFlowTests } from '../../support/service-flows.ts';
import { VPP_LAB_SKIP, vppLabHooks, vppLabTitle } from '../../support/vpp-lab.ts';

describe.skipIf(VPP_LAB_SKIP)(vppLabTitle('VPP lab: Services, host and outside traffic'), () => {
  let lab: LabFile;
  const adapters: VppAdapter[] = [];
  vppLabHooks({ nodes: 2, tag: 'v', onUp: (l: LabFile) => { lab = l; }, adapters });
  serviceFlowTests(async () => {
    const a = new VppAdapter(lab);
    adapters.push(a);
    return a;
  });
});
