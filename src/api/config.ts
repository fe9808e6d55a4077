// `podflow/config`: the type of a podflow.config.ts (properties, adapters and mutants the CLI adds to its own) and
// defineConfig, which types its default export.
export { defineConfig, CONFIG_FILES, type PodflowConfig, type AdapterFactory } from '../cli/config.ts';
