// Worker-thread entry in plain JS: worker threads do not inherit tsx's loader, so register it, then load the worker.
import { register } from 'tsx/esm/api';

register();
await import('./fuzz-worker.ts');
