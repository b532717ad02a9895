// The panel is most of what Inkling puts on notion.so, and most visits never open it: the content script
// carries only the launcher, and the panel's own script (entrypoints/panel.tsx) is loaded the first time
// Inkling is opened in the tab. It runs in the content script's world and leaves its mount function on
// that world's global object, where only the content script can see it.
import type { PanelProps } from './panel';

/** Draws the panel in `container` with these props, or takes it away (null). */
export type MountPanel = (container: HTMLElement, props: PanelProps | null) => void;

/** Where the panel's script is in the extension (listed as web accessible to notion.so only). */
export const PANEL_SCRIPT = '/panel.js';

const MOUNT = Symbol.for('inkling.mountPanel');
type WithMount = { [MOUNT]?: MountPanel };

/** Called by the panel's script as it loads. */
export function providePanel(mount: MountPanel): void {
  (globalThis as WithMount)[MOUNT] = mount;
}

/** The panel's mount function, its script loaded from `url` the first time. */
export async function loadPanel(url: string): Promise<MountPanel> {
  if (!(globalThis as WithMount)[MOUNT]) await import(/* @vite-ignore */ url);
  const mount = (globalThis as WithMount)[MOUNT];
  if (!mount) throw new Error(`${url} did not provide the panel`);
  return mount;
}
