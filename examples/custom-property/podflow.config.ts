// podflow fuzz --config examples/custom-property/podflow.config.ts --property no-frame-to-bystander
import { defineConfig } from 'podflow/config';
import { noFrameToBystander } from './no-frame-to-bystander.ts';

export default defineConfig({
  properties: [noFrameToBystander],
});
