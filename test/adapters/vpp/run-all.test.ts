// A node's commands in order (runAll): configuration commands checked as config() checks them — the first VPP
// rejects stops the rest — and show commands answered whatever VPP prints.
import { describe, expect, it } from 'vitest';
import { runAll, VppCliError, type Step, type Transport } from '../../../src/adapters/vpp/transport.ts';

/** A node that rejects commands starting with `bad`, answers `show …` with text and the rest with nothing. */
function fakeNode(ran: string[]): Transport {
  const answer = (c: string): string => {
    ran.push(c);
    return c.startsWith('bad') ? `${c}: unknown input\n` : c.startsWith('show') ? `${c} says\n` : '';
  };
  return {
    nodeId: 3,
    cli: async (c) => answer(c),
    config: async (c) => {
      const out = answer(c);
      if (out !== '') throw new VppCliError(3, c, out);
      return out;
    },
    close: () => {},
    put: async () => {},
    get: async () => new Uint8Array(),
    remove: async () => {},
  };
}

describe('runAll', () => {
  it('returns each output in order; a show command VPP answers with an error does not stop the others', async () => {
    const ran: string[] = [];
    const steps: Step[] = [{ command: 'bad show', kind: 'cli' }, { command: 'set a', kind: 'config' }, { command: 'show b', kind: 'cli' }];
    expect(await runAll(fakeNode(ran), steps)).toEqual(['bad show: unknown input\n', '', 'show b says\n']);
    expect(ran).toEqual(['bad show', 'set a', 'show b']);
  });

  it('a configuration command VPP rejects is a VppCliError naming it, and the commands after it do not run', async () => {
    const ran: string[] = [];
    const done: number[] = [];
    const steps: Step[] = [{ command: 'set a', kind: 'config' }, { command: 'bad b', kind: 'config' }, { command: 'set c', kind: 'config' }];
    const err = await runAll(fakeNode(ran), steps, (i) => done.push(i)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VppCliError);
    expect((err as VppCliError).command).toBe('bad b');
    expect(ran).toEqual(['set a', 'bad b']);
    expect(done).toEqual([0]);
  });
});
