import { describe, expect, it } from 'vitest';
import { senderKind } from './senders';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const ORIGIN = `chrome-extension://${ID}/`;
const kind = (sender: Parameters<typeof senderKind>[0]) => senderKind(sender, ID, ORIGIN);

describe('senderKind', () => {
  it('recognises the popup (an extension page, even opened as a tab)', () => {
    expect(kind({ id: ID, url: `${ORIGIN}popup.html` })).toBe('extension-page');
    expect(kind({ id: ID, url: `${ORIGIN}popup.html`, tab: { id: 3 } })).toBe('extension-page');
  });
  it('recognises the content script in the top frame of a notion.so tab', () => {
    expect(kind({ id: ID, url: 'https://www.notion.so/Page-0123', tab: { id: 7 }, frameId: 0 })).toBe('notion-tab');
  });
  it('refuses other extensions, other sites, frames and senders without a tab', () => {
    expect(kind({ id: 'other', url: `${ORIGIN}popup.html` })).toBeNull();
    expect(kind({ id: ID, url: 'https://evil.example/', tab: { id: 7 } })).toBeNull();
    expect(kind({ id: ID, url: 'https://www.notion.so.evil.example/', tab: { id: 7 } })).toBeNull();
    expect(kind({ id: ID, url: 'https://www.notion.so/x', tab: { id: 7 }, frameId: 2 })).toBeNull();
    expect(kind({ id: ID, url: 'https://www.notion.so/x' })).toBeNull();
    expect(kind({ id: ID })).toBeNull();
  });
});
