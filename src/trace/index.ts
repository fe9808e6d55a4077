// Public surface of the trace module: records (the contract), ip4/ethernet views, render, parse, masks and diff.
export * from './records.ts';
export * from './ip4-view.ts';
export * from './render.ts';
export * from './parse.ts';
export * from './masks.ts';
export * from './diff.ts';
