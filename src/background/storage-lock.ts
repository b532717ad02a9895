import { browser } from 'wxt/browser';

/**
 * Locks chrome.storage.local to trusted contexts (the worker and extension pages), so a content
 * script in the notion.so tab can read nothing from it — secrets never reach that process.
 * Firefox has no setAccessLevel for local storage; there the content script simply never reads it.
 */
export async function lockStorageToTrustedContexts(): Promise<void> {
  const local = browser.storage.local as typeof browser.storage.local & {
    setAccessLevel?: (options: { accessLevel: 'TRUSTED_CONTEXTS' | 'TRUSTED_AND_UNTRUSTED_CONTEXTS' }) => Promise<void>;
  };
  await local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
}
