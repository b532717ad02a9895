// On notion.so: mount the panel in a shadow root and keep it told where the user is.
import { render } from 'preact';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { defineContentScript } from 'wxt/utils/define-content-script';
import '../../assets/styles.css';
import '../../assets/panel.css';
import { onMessage } from '../../src/messaging';
import { followNotionTheme } from '../../src/ui/panel/notion-theme';
import { Panel, type PanelRequest } from '../../src/ui/panel/panel';

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
    onMessage('togglePanel', () => listeners.forEach((listener) => listener({ kind: 'toggle' })));
    onMessage('resumeInPanel', ({ data }) =>
      listeners.forEach((listener) => listener({ kind: 'resume', resume: data })),
    );

    const ui = await createShadowRootUi(ctx, {
      name: 'inkling-panel',
      position: 'inline',
      anchor: 'body',
      // Keys typed in the panel must not reach Notion's own shortcuts.
      isolateEvents: true,
      onMount(container, _shadow, host) {
        ctx.onInvalidated(followNotionTheme(host));
        const draw = (url: string) => render(<Panel url={url} onPanelRequest={onPanelRequest} />, container);
        draw(location.href);
        // Notion is a single-page app: follow pushState/replaceState/back navigation. The event can
        // fire before location.href changes (Navigation API), so take the URL from the event.
        ctx.addEventListener(window, 'wxt:locationchange', (event) => draw(event.newUrl.href));
        return container;
      },
      onRemove(container) {
        if (container) render(null, container);
      },
    });
    ui.mount();
  },
});
