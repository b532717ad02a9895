import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleCommand, TOGGLE_PANEL_COMMAND } from './commands';

/** @webext-core/messaging talks to the `chrome` global with callbacks; record what it sends. */
function stubTabsSendMessage() {
  const sent: Array<{ tabId: number; message: { type?: string } }> = [];
  vi.stubGlobal('chrome', {
    runtime: {},
    tabs: {
      sendMessage: (tabId: number, message: { type?: string }, _options: unknown, respond: (r: unknown) => void) => {
        sent.push({ tabId, message });
        respond({});
      },
    },
  });
  return sent;
}

describe('handleCommand', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('toggles the panel in the Notion tab where the shortcut was pressed', async () => {
    const sent = stubTabsSendMessage();
    const handled = await handleCommand(TOGGLE_PANEL_COMMAND, {
      id: 4,
      url: 'https://www.notion.so/Page-0123',
    } as never);
    expect(handled).toBe(true);
    expect(sent).toEqual([{ tabId: 4, message: expect.objectContaining({ type: 'togglePanel' }) }]);
  });

  it('does nothing outside notion.so or for other commands', async () => {
    const sent = stubTabsSendMessage();
    expect(await handleCommand(TOGGLE_PANEL_COMMAND, { id: 4, url: 'https://example.com/' } as never)).toBe(false);
    expect(await handleCommand('other', { id: 4, url: 'https://www.notion.so/x' } as never)).toBe(false);
    expect(sent).toEqual([]);
  });
});
