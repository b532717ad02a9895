// The in-page panel, loaded into the notion.so tab the first time Inkling is opened there (see
// src/ui/panel/load-panel.ts): it hands the content script the function that draws it.
import { render } from 'preact';
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { providePanel } from '../src/ui/panel/load-panel';
import { Panel } from '../src/ui/panel/panel';

export default defineUnlistedScript(() =>
  providePanel((container, props) => render(props && <Panel {...props} />, container)),
);
