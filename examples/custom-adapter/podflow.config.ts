// podflow fuzz --config examples/custom-adapter/podflow.config.ts --adapter counting-reference
import { defineConfig } from 'podflow/config';
import { CountingAdapter } from './counting-adapter.ts';

export default defineConfig({
  adapters: {
    'counting-reference': { create: () => new CountingAdapter(), description: 'the reference model, counting the frames it is given (examples/custom-adapter)' },
  },
});
