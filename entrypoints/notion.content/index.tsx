// On notion.so: mount the panel in a shadow root and keep it told where the user is.
import { render } from 'preact';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { defineContentScript } from 'wxt/utils/define-content-script';
import '../../assets/styles.css';
import '../../assets/panel.css';
import { onMessage } from '../../src/messaging';
import { Panel } from '../../src/ui/panel/panel';

export default defineContentScript({
  matches: ['https://www.notion.so/*'],
  cssInjectionMode: 'ui',
  async main(ctx) {
    const toggleListeners = new Set<() => void>();
    const onToggleRequest = (toggle: () => void) => {
      toggleListeners.add(toggle);
      return () => toggleListeners.delete(toggle);
    };
    onMessage('togglePanel', () => toggleListeners.forEach((toggle) => toggle()));

    const ui = await createShadowRootUi(ctx, {
      name: 'inkling-panel',
      position: 'inline',
      anchor: 'body',
      // Keys typed in the panel must not reach Notion's own shortcuts.
      isolateEvents: true,
      onMount(container) {
        const draw = (url: string) => render(<Panel url={url} onToggleRequest={onToggleRequest} />, container);
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
