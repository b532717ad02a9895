// The keyboard shortcut (manifest `commands`): toggles the panel in the Notion tab it was pressed in.
import type { Browser } from 'wxt/browser';
import { sendMessage } from '../messaging';
import { NOTION_ORIGIN } from './senders';

export const TOGGLE_PANEL_COMMAND = 'toggle-panel';

export async function handleCommand(command: string, tab: Browser.tabs.Tab | undefined): Promise<boolean> {
  if (command !== TOGGLE_PANEL_COMMAND || tab?.id === undefined || !tab.url?.startsWith(`${NOTION_ORIGIN}/`))
    return false;
  await sendMessage('togglePanel', undefined, tab.id);
  return true;
}
