// Who may ask the background for what. Content scripts on notion.so may ask for panel things; only
// Inkling's own pages (the popup) may touch settings. Anything else is refused.
import { browser } from 'wxt/browser';

export type SenderKind = 'extension-page' | 'notion-tab';

export interface SenderInfo {
  id?: string;
  url?: string;
  tab?: { id?: number };
  frameId?: number;
}

export const NOTION_ORIGIN = 'https://www.notion.so';

export function senderKind(
  sender: SenderInfo,
  extensionId = browser.runtime.id,
  extensionOrigin = browser.runtime.getURL('/'),
): SenderKind | null {
  if (sender.id !== extensionId || !sender.url) return null;
  if (sender.url.startsWith(extensionOrigin)) return 'extension-page';
  let origin: string;
  try {
    origin = new URL(sender.url).origin;
  } catch {
    return null;
  }
  // The panel lives in the top frame of a notion.so tab.
  if (origin === NOTION_ORIGIN && sender.tab?.id !== undefined && (sender.frameId ?? 0) === 0) return 'notion-tab';
  return null;
}
