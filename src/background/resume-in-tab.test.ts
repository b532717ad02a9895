import { afterEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import type { Connection } from '../shared/connection';
import { resumeInTab } from './resume-in-tab';

const PAGE_ID = '0123456789abcdef0123456789abcdef';
const connection = {
  id: 'c1',
  name: 'Beta notes',
  kind: 'page',
  targetId: '01234567-89ab-cdef-0123-456789abcdef',
  prompt: 'Write beta',
  options: {},
} as unknown as Connection;

/** The tabs of the last focused window, and what the panel's messaging does with the chrome global. */
function stubTabs(tabs: Array<{ id: number; url: string; active: boolean }>, panelAnswers = true) {
  const sent: Array<{ tabId: number; type?: string; data?: unknown }> = [];
  const updated: Array<{ tabId: number; props: unknown }> = [];
  vi.spyOn(browser.tabs, 'query').mockResolvedValue(tabs as never);
  vi.spyOn(browser.tabs, 'update').mockImplementation(async (tabId, props) => {
    updated.push({ tabId: tabId as number, props });
    return {} as never;
  });
  vi.stubGlobal('chrome', {
    runtime: {},
    tabs: {
      sendMessage: (
        tabId: number,
        message: { type?: string; data?: unknown },
        _options: unknown,
        respond: (r: unknown) => void,
      ) => {
        sent.push({ tabId, type: message.type, data: message.data });
        if (panelAnswers) respond({});
        else respond({ err: { message: 'Could not establish connection. Receiving end does not exist.' } });
      },
    },
  });
  return { sent, updated };
}

describe('resumeInTab', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('opens the panel on the connection in the tab showing its page, and brings that tab forward', async () => {
    const { sent, updated } = stubTabs([
      { id: 1, url: 'https://www.notion.so/Other-ffffffffffffffffffffffffffffffff', active: true },
      { id: 2, url: `https://www.notion.so/Beta-notes-${PAGE_ID}`, active: false },
    ]);
    expect(await resumeInTab(connection)).toBe(true);
    expect(sent).toEqual([
      {
        tabId: 2,
        type: 'resumeInPanel',
        data: { id: 'c1', name: 'Beta notes', targetId: connection.targetId, prompt: 'Write beta', options: {} },
      },
    ]);
    expect(updated).toEqual([{ tabId: 2, props: { active: true } }]);
  });

  it('prefers the active tab when several show the page', async () => {
    const { sent } = stubTabs([
      { id: 3, url: `https://www.notion.so/${PAGE_ID}`, active: false },
      { id: 4, url: `https://www.notion.so/Beta-${PAGE_ID}?pvs=4`, active: true },
    ]);
    expect(await resumeInTab(connection)).toBe(true);
    expect(sent.map((s) => s.tabId)).toEqual([4]);
  });

  it('says no when no tab shows the page, or the tab has no panel yet, and then moves no tab', async () => {
    const none = stubTabs([
      { id: 1, url: 'https://www.notion.so/Other-ffffffffffffffffffffffffffffffff', active: true },
    ]);
    expect(await resumeInTab(connection)).toBe(false);
    expect(none.sent).toEqual([]);
    vi.restoreAllMocks();
    const stale = stubTabs([{ id: 2, url: `https://www.notion.so/Beta-notes-${PAGE_ID}`, active: true }], false);
    expect(await resumeInTab(connection)).toBe(false);
    expect(stale.updated).toEqual([]);
  });
});
