// On notion.so: a launcher in a shadow root, kept told where the user is; the panel itself is loaded
// the first time Inkling is opened in the tab (src/ui/panel/load-panel.ts).
import { browser } from 'wxt/browser';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { defineContentScript } from 'wxt/utils/define-content-script';
import '../../assets/styles.css';
import '../../assets/panel.css';
import { onMessage } from '../../src/messaging';
import { loadPanel, PANEL_SCRIPT, type MountPanel } from '../../src/ui/panel/load-panel';
import { followNotionTheme } from '../../src/ui/panel/notion-theme';
import type { PanelRequest } from '../../src/ui/panel/panel';

/** The panel's closed state as the panel draws it (panel.tsx), until the panel is loaded. */
function launcherStandIn(onClick: () => void): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'ink-launcher';
  button.setAttribute('aria-label', 'Open Inkling');
  button.title = 'Open Inkling (Alt+K)';
  const mark = button.appendChild(document.createElement('span'));
  mark.setAttribute('aria-hidden', 'true');
  mark.textContent = '✦';
  button.addEventListener('click', onClick);
  return button;
}

export default defineContentScript({
  matches: ['https://www.notion.so/*'],
  cssInjectionMode: 'ui',
  async main(ctx) {
    // What the background asks of the panel: the shortcut toggles it; a resumed connection opens it.
    const listeners = new Set<(request: PanelRequest) => void>();
    const onPanelRequest = (listener: (request: PanelRequest) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    // Until the launcher is drawn there is nothing to open.
    let request: ((next: PanelRequest) => void) | undefined;
    let mount: MountPanel | undefined;
    onMessage('togglePanel', () => request?.({ kind: 'toggle' }));
    onMessage('resumeInPanel', ({ data }) => request?.({ kind: 'resume', resume: data }));

    const ui = await createShadowRootUi(ctx, {
      name: 'inkling-panel',
      position: 'inline',
      anchor: 'body',
      // Keys typed in the panel must not reach Notion's own shortcuts.
      isolateEvents: true,
      onMount(container, _shadow, host) {
        ctx.onInvalidated(followNotionTheme(host));
        let url = location.href;
        const draw = (opening?: PanelRequest) =>
          mount?.(container, { url, onPanelRequest, ...(opening ? { opening } : {}) });
        // Until the panel is loaded, requests wait: the first loads it and it opens with that one; the
        // others (Alt+K, then a connection resumed from the popup, say) reach it once it is drawn.
        const waiting: PanelRequest[] = [];
        let loading = false;
        const standIn = launcherStandIn(() => request?.({ kind: 'toggle' }));
        request = (next) => {
          waiting.push(next);
          if (loading) return;
          loading = true;
          // getURL throws, rather than rejects, once this script's extension has been reloaded.
          Promise.resolve()
            .then(() => loadPanel(browser.runtime.getURL(PANEL_SCRIPT)))
            .then(
              (loaded) => {
                mount = loaded;
                container.replaceChildren();
                const [opening, ...later] = waiting.splice(0);
                // The panel listens from its first drawing on (panel.tsx), so the rest reach it.
                draw(opening);
                request = (then) => listeners.forEach((listener) => listener(then));
                later.forEach(request);
              },
              () => {
                // Inkling was updated or reloaded since this tab opened: the old script cannot load it.
                loading = false;
                waiting.splice(0);
                const said = 'Inkling could not open here: reload the page, then open it again.';
                standIn.title = said;
                standIn.setAttribute('aria-label', said);
              },
            );
        };
        container.append(standIn);
        // Notion is a single-page app: follow pushState/replaceState/back navigation. The event can
        // fire before location.href changes (Navigation API), so take the URL from the event.
        ctx.addEventListener(window, 'wxt:locationchange', (event) => {
          url = event.newUrl.href;
          draw();
        });
        return container;
      },
      onRemove(container) {
        if (container) mount?.(container, null);
        container?.replaceChildren();
      },
    });
    ui.mount();
  },
});
