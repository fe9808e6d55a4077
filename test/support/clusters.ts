// Small clusters that several tests share.
import type { Cluster } from '../../src/policy/types.ts';

/** Three pods on two nodes; `web` pods accept TCP/80 from `client` pods only (so pods are isolated: sessions matter). */
export const CLIENT_AND_WEB: Cluster = {
  nodes: [{ name: 'node-1' }, { name: 'node-2' }],
  namespaces: [{ name: 'default', labels: {} }],
  pods: [
    { name: 'client', namespace: 'default', labels: { app: 'client' }, nodeName: 'node-1', containerPorts: [] },
    { name: 'web-a', namespace: 'default', labels: { app: 'web' }, nodeName: 'node-2', containerPorts: [] },
    { name: 'web-b', namespace: 'default', labels: { app: 'web' }, nodeName: 'node-1', containerPorts: [] },
  ],
  policies: [
    {
      name: 'web',
      namespace: 'default',
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
      egress: [],
    },
  ],
};
