// Public surface of the packet layer: addresses, checksums, layer codecs, frames, layer diffs and pcap.
export * from './addr.ts';
export * from './bindings.ts';
export * from './checksum.ts';
export * from './types.ts';
export * from './packet.ts';
export * from './ethernet.ts';
export * from './dot1q.ts';
export * from './arp.ts';
export * from './ipv4.ts';
export * from './icmp.ts';
export * from './tcp.ts';
export * from './udp.ts';
export * from './vxlan.ts';
export * from './mask.ts';
export * from './json.ts';
