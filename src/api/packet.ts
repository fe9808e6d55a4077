// `podflow/packet`: frames as layers (encode, decode, checksums, addresses, JSON form) and pcap files.
export * from '../packet/index.ts';
export { encodePcap, decodePcap, encodePcapHeader, encodePcapRecord, pcapRecordsByPoint, PcapEncoder, LINKTYPE_ETHERNET, type PcapRecord, type PcapHeader, type PcapDecodeResult, type PcapError, type TimestampPrecision, type EncodeOptions as PcapEncodeOptions } from '../packet/pcap.ts';
export { readPcapFile, writePcapFileAtomic, PcapStreamWriter } from '../packet/pcap-file.ts';
