import { afterEach, describe, expect, it } from 'vitest';
import { loadPanel, providePanel } from './load-panel';

const MOUNT = Symbol.for('inkling.mountPanel');
/** A script as the panel's is: run once, it leaves a mount function that counts how often it ran. */
const script = (body: string) => `data:text/javascript,${encodeURIComponent(body)}`;

const mount = () => {};

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[MOUNT];
  delete (globalThis as Record<string, unknown>).panelScriptRuns;
});

describe('loadPanel', () => {
  it("runs the panel's script the first time only, and gives its mount function", async () => {
    const url = script(
      `globalThis.panelScriptRuns = (globalThis.panelScriptRuns ?? 0) + 1;
       globalThis[Symbol.for('inkling.mountPanel')] = () => 'drawn';`,
    );
    const loaded = await loadPanel(url);
    expect((loaded as unknown as () => string)()).toBe('drawn');
    expect(await loadPanel(`${url}%20`)).toBe(loaded);
    expect((globalThis as Record<string, unknown>).panelScriptRuns).toBe(1);
  });

  it('gives what the script provided without loading it again', async () => {
    providePanel(mount);
    expect(await loadPanel('data:text/javascript,throw new Error("loaded")')).toBe(mount);
  });

  it('fails, naming the script, when it provides no panel', async () => {
    const url = script('void 0');
    await expect(loadPanel(url)).rejects.toThrow(`${url} did not provide the panel`);
  });
});
