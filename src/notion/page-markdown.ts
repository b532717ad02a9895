// A page's content for a prompt, in one request however deep the page: Notion's Markdown endpoint
// (GET /v1/pages/{id}/markdown). Reading the blocks instead costs a request per block that has children,
// which at Notion's 3 requests a second is what a {{page}} run waits on. The endpoint speaks Notion's own
// dialect; we only make it read as written (no backslash escapes, <br> as a line break) and never parse it
// back: what we write goes through our own converter (markdown-to-blocks.ts).
import type { Client } from '@notionhq/client';
import { NOTION_FILE_HOST, type NotionFile } from './files';

/** The characters Notion's Markdown escapes outside code. */
const ESCAPED = /\\([\\*~`$[\]<>{}|^])/g;
/** A code fence, or the `$$` line around display math: Notion escapes neither inside. */
const FENCE = /^\s*(`{3,}|~{3,}|\$\$)\s*$|^\s*(`{3,}|~{3,})/;
/** Inline code spans and inline math (`$…$` not after a backslash), which Notion does not escape inside. */
const LITERAL_SPAN = /(`+)[\s\S]*?\1|(?<!\\)\$(?!\$)[^$\n]*?(?<!\\)\$/g;

function unescapeProse(text: string): string {
  return text.replace(ESCAPED, '$1').replace(/<br\s*\/?>/gi, '\n');
}

/** Notion's Markdown as a person would have written it: escapes undone and <br> as a newline, outside code and math. */
export function readableMarkdown(markdown: string): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((line) => {
      const found = FENCE.exec(line);
      const marker = found?.[1] ?? found?.[2];
      if (fence !== null) {
        if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
        return line;
      }
      if (marker) {
        fence = marker;
        return line;
      }
      let out = '';
      let last = 0;
      for (const span of line.matchAll(LITERAL_SPAN)) {
        out += unescapeProse(line.slice(last, span.index)) + span[0];
        last = span.index + span[0].length;
      }
      return out + unescapeProse(line.slice(last));
    })
    .join('\n');
}

/** An image in Notion's Markdown: `![caption](address)`, the address possibly holding one level of parentheses. */
const IMAGE = /!\[([^\]\n]*)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/g;

/** An address on Notion's file host anywhere in the text (an image's is handled first, with its caption). */
const OTHER_HOSTED = new RegExp(`https://${NOTION_FILE_HOST.replaceAll('.', '\\.')}/[^\\s)"'<>\\]]+`, 'g');

/** The file's name as the last part of its address says it. */
function nameOf(address: URL): string {
  const last = address.pathname.split('/').at(-1) ?? '';
  try {
    return decodeURIComponent(last) || 'image';
  } catch {
    return last || 'image';
  }
}

/**
 * The images uploaded to Notion on a page (in its order), and the Markdown with each one's signed
 * address replaced by its name: an address that opens the file for an hour is no text for a model (and
 * a thousand characters of tokens). Images linked from elsewhere stay as written.
 */
export function hostedImages(markdown: string): { markdown: string; images: NotionFile[] } {
  const images: NotionFile[] = [];
  const text = markdown.replace(IMAGE, (whole, caption: string, url: string) => {
    let address: URL;
    try {
      address = new URL(url);
    } catch {
      return whole;
    }
    if (address.protocol !== 'https:' || address.hostname !== NOTION_FILE_HOST) return whole;
    const name = nameOf(address);
    images.push({ name, url });
    return `![${caption}](${name})`;
  });
  // Any other file uploaded to the page (a PDF, a video, an attachment) is named too: a signed address
  // changes on every read, so left in it would make the page look changed each time.
  const named = text.replace(OTHER_HOSTED, (url) => {
    try {
      return nameOf(new URL(url));
    } catch {
      return url;
    }
  });
  return { markdown: named, images };
}

/**
 * The page's content as Markdown a model reads, with the images uploaded to it (their addresses, read
 * just now, last about an hour); `truncated` when Notion cut a very long page short.
 */
export async function readPageMarkdown(
  client: Client,
  pageId: string,
): Promise<{ markdown: string; truncated: boolean; images: NotionFile[] }> {
  const page = await client.pages.retrieveMarkdown({ page_id: pageId });
  return { ...hostedImages(readableMarkdown(page.markdown)), truncated: page.truncated };
}
