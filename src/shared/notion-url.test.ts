import { describe, expect, it } from 'vitest';
import { parseNotionLink } from './notion-url';

const PAGE = '1f2e3d4c5b6a79881726354453627180';
const PAGE_UUID = '1f2e3d4c-5b6a-7988-1726-354453627180';
const VIEW = 'aaaabbbbccccddddeeeeffff00001111';
const ROW = '0123456789abcdef0123456789abcdef';

describe('parseNotionLink', () => {
  it('reads a page link with a title slug', () => {
    expect(parseNotionLink(`https://www.notion.so/My-Great-Page-${PAGE}`)).toEqual({ id: PAGE_UUID });
  });
  it('reads a page link under a workspace slug, with share parameters', () => {
    expect(parseNotionLink(`https://www.notion.so/acme/Plan-${PAGE}?pvs=4`)).toEqual({ id: PAGE_UUID });
  });
  it('reads a database view link: the path id with its view', () => {
    expect(parseNotionLink(`https://www.notion.so/acme/${PAGE}?v=${VIEW}`)).toEqual({
      id: PAGE_UUID,
      viewId: 'aaaabbbb-cccc-dddd-eeee-ffff00001111',
    });
  });
  it('reads a peeked row as the row, remembering its database', () => {
    expect(parseNotionLink(`https://www.notion.so/acme/${PAGE}?v=${VIEW}&p=${ROW}&pm=s`)).toEqual({
      id: '01234567-89ab-cdef-0123-456789abcdef',
      databaseId: PAGE_UUID,
    });
  });
  it('accepts bare ids, dashed or not, and notion.site and notion:// links', () => {
    expect(parseNotionLink(PAGE)).toEqual({ id: PAGE_UUID });
    expect(parseNotionLink(PAGE_UUID.toUpperCase())).toEqual({ id: PAGE_UUID });
    expect(parseNotionLink(`https://acme.notion.site/Docs-${PAGE}`)).toEqual({ id: PAGE_UUID });
    expect(parseNotionLink(`notion://www.notion.so/Docs-${PAGE}`)).toEqual({ id: PAGE_UUID });
  });
  it('rejects what is not a Notion link', () => {
    expect(parseNotionLink('hello')).toBeNull();
    expect(parseNotionLink(`https://evil.example/Page-${PAGE}`)).toBeNull();
    expect(parseNotionLink('https://www.notion.so/')).toBeNull();
    expect(parseNotionLink(`https://www.notion.so/Page-${PAGE.slice(1)}`)).toBeNull();
    expect(parseNotionLink('javascript:alert(1)')).toBeNull();
  });
});
