import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

/** Hosts Inkling talks to out of the box. Every other model host is asked for at run time. */
const HOST_PERMISSIONS = [
  'https://www.notion.so/*',
  'https://api.notion.com/*',
  'https://api.openai.com/*',
  'https://generativelanguage.googleapis.com/*',
  // Files uploaded to Notion, downloaded to send to the model when a prompt names a files column.
  'https://prod-files-secure.s3.us-west-2.amazonaws.com/*',
];

// See https://wxt.dev/api/config.html
export default defineConfig({
  // Explicit imports everywhere (from 'wxt/…'), so every file shows where its names come from.
  imports: false,
  // No webextension-polyfill: MV3's chrome.* APIs return promises, Firefox has its own browser.*, and
  // @webext-core/messaging answers through sendResponse. Its 2.5 KB (gzip) were paid on every Notion page load.
  vite: () => ({
    plugins: [preact()],
    resolve: {
      alias: {
        // The Markdown parser's entity decoder has a DOM flavour for browsers (document.createElement),
        // which a service worker does not have. The plain one works everywhere.
        'decode-named-character-reference': fileURLToPath(
          import.meta.resolve('decode-named-character-reference').replace(/[^/]+$/, 'index.js'),
        ),
      },
    },
  }),
  manifest: ({ browser }) => ({
    name: 'Inkling — AI writer for Notion',
    short_name: 'Inkling',
    description:
      'Generate content into Notion pages and database rows with your own Notion credential and your own model.',
    // unlimitedStorage: a long run keeps every row's baseline and answer until its retention ends.
    permissions: ['storage', 'unlimitedStorage', 'alarms'],
    host_permissions: HOST_PERMISSIONS,
    // Ollama, LM Studio, OpenRouter, Groq… are asked for when the user saves a Base URL.
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    // The panel's script, loaded into notion.so the first time Inkling is opened there (load-panel.ts),
    // at its plain address: only notion.so may load it, and the file holds nothing of the user's.
    web_accessible_resources: [{ resources: ['panel.js'], matches: ['https://www.notion.so/*'] }],
    commands: {
      'toggle-panel': {
        // Alt+K: free in Notion (which uses Cmd/Ctrl+K for links) and the convention users expect.
        suggested_key: { default: 'Alt+K', mac: 'Alt+K' },
        description: 'Open or close the Inkling panel on a Notion page',
      },
    },
    ...(browser === 'firefox'
      ? { browser_specific_settings: { gecko: { id: 'inkling@inkling.dev', strict_min_version: '128.0' } } }
      : {}),
  }),
});
