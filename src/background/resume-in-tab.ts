// Resuming a connection where its page is: when a Notion tab of the window shows the connection's page
// or database, that tab comes to the front and its panel opens on the connection's saved run, instead
// of the popup's Create view.
import { browser } from 'wxt/browser';
import type { Connection, PanelResume } from '../shared/connection';
import { parseNotionLink } from '../shared/notion-url';
import { sendMessage } from '../messaging';
import { NOTION_ORIGIN } from './senders';

/** True when a tab took the connection; false when no tab of the last focused window shows it. */
export async function resumeInTab(connection: Connection): Promise<boolean> {
  const tabs = await browser.tabs.query({ lastFocusedWindow: true, url: `${NOTION_ORIGIN}/*` });
  const showing = tabs.filter((tab) => tab.url && parseNotionLink(tab.url)?.id === connection.targetId);
  const tab = showing.find((t) => t.active) ?? showing[0];
  if (tab?.id === undefined) return false;
  const { id, name, targetId, prompt, options } = connection;
  const resume: PanelResume = { id, name, targetId, prompt, options };
  try {
    await sendMessage('resumeInPanel', resume, tab.id);
  } catch {
    // The tab was open before Inkling was installed or updated: it has no panel until it reloads.
    return false;
  }
  await browser.tabs.update(tab.id, { active: true });
  return true;
}
