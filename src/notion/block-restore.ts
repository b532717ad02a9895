// Read blocks → request blocks, to put a page's previous content back after Undo of a "replace".
// Ids, timestamps, authors, `has_children` and other read-only fields are dropped; text keeps its
// annotations, colors, links and mentions; children come along recursively.
import type { BlockObjectRequest, RichTextItemResponse } from '@notionhq/client';
import type { ReadBlock } from './read-blocks';
import { withChildren } from './markdown-to-blocks';
import { type BlockTree, type RichTextItemRequest } from '../shared/notion-shapes';

type ParagraphData = Extract<BlockObjectRequest, { paragraph: unknown }>['paragraph'];
type IconRequest = NonNullable<ParagraphData['icon']>;
type IconResponse = NonNullable<Extract<ReadBlock, { type: 'callout' }>['callout']['icon']>;
type MediaRequest = Extract<BlockObjectRequest, { image: unknown }>['image'];
type MediaResponse = Extract<ReadBlock, { type: 'image' }>['image'];

/**
 * A read block (with children attached) as a request tree of any depth, for `writeBlocks`.
 * What the API cannot create comes back as the closest thing it can: a child page or database as
 * a link to it, a link preview as a bookmark, a Notion-hosted file as an external file at its
 * (temporary, signed) URL, and an unsupported block as a paragraph naming it.
 */
export function toBlockTree(block: ReadBlock): BlockTree {
  const children = (block.children ?? []).map(toBlockTree);
  const tree = convert(block, children);
  // Tables, columns and tabs carry their children in `convert`; everything else gets them here.
  return CARRIES_CHILDREN.has(tree.type) ? tree : withChildren(tree, children);
}

const CARRIES_CHILDREN = new Set<BlockTree['type']>(['table', 'column_list', 'column', 'tab']);

function convert(block: ReadBlock, children: BlockTree[]): BlockTree {
  switch (block.type) {
    case 'paragraph': {
      const { rich_text, color, icon } = block.paragraph;
      return { type: 'paragraph', paragraph: { rich_text: richText(rich_text), color, ...iconField(icon) } };
    }
    case 'heading_1': {
      const { rich_text, color, is_toggleable } = block.heading_1;
      return { type: 'heading_1', heading_1: { rich_text: richText(rich_text), color, is_toggleable } };
    }
    case 'heading_2': {
      const { rich_text, color, is_toggleable } = block.heading_2;
      return { type: 'heading_2', heading_2: { rich_text: richText(rich_text), color, is_toggleable } };
    }
    case 'heading_3': {
      const { rich_text, color, is_toggleable } = block.heading_3;
      return { type: 'heading_3', heading_3: { rich_text: richText(rich_text), color, is_toggleable } };
    }
    case 'heading_4': {
      const { rich_text, color, is_toggleable } = block.heading_4;
      return { type: 'heading_4', heading_4: { rich_text: richText(rich_text), color, is_toggleable } };
    }
    case 'bulleted_list_item': {
      const { rich_text, color } = block.bulleted_list_item;
      return { type: 'bulleted_list_item', bulleted_list_item: { rich_text: richText(rich_text), color } };
    }
    case 'numbered_list_item': {
      const { rich_text, color } = block.numbered_list_item;
      return { type: 'numbered_list_item', numbered_list_item: { rich_text: richText(rich_text), color } };
    }
    case 'to_do': {
      const { rich_text, color, checked } = block.to_do;
      return { type: 'to_do', to_do: { rich_text: richText(rich_text), color, checked } };
    }
    case 'toggle': {
      const { rich_text, color } = block.toggle;
      return { type: 'toggle', toggle: { rich_text: richText(rich_text), color } };
    }
    case 'quote': {
      const { rich_text, color } = block.quote;
      return { type: 'quote', quote: { rich_text: richText(rich_text), color } };
    }
    case 'callout': {
      const { rich_text, color, icon } = block.callout;
      return { type: 'callout', callout: { rich_text: richText(rich_text), color, ...iconField(icon) } };
    }
    case 'template':
      return { type: 'template', template: { rich_text: richText(block.template.rich_text) } };
    case 'code': {
      const { rich_text, language, caption } = block.code;
      return { type: 'code', code: { rich_text: richText(rich_text), language, caption: richText(caption) } };
    }
    case 'equation':
      return { type: 'equation', equation: { expression: block.equation.expression } };
    case 'divider':
      return { type: 'divider', divider: {} };
    case 'breadcrumb':
      return { type: 'breadcrumb', breadcrumb: {} };
    case 'table_of_contents':
      return { type: 'table_of_contents', table_of_contents: { color: block.table_of_contents.color } };
    case 'table': {
      const { table_width, has_column_header, has_row_header } = block.table;
      return { type: 'table', table: { table_width, has_column_header, has_row_header, children } };
    }
    case 'table_row':
      return { type: 'table_row', table_row: { cells: block.table_row.cells.map(richText) } };
    case 'column_list':
      return { type: 'column_list', column_list: { children } };
    case 'column': {
      const ratio = block.column.width_ratio;
      return { type: 'column', column: { children, ...(ratio === undefined ? {} : { width_ratio: ratio }) } };
    }
    case 'tab':
      return { type: 'tab', tab: { children } };
    case 'synced_block': {
      const from = block.synced_block.synced_from;
      // A copy points at its original (which keeps the content); an original brings its content.
      return from
        ? { type: 'synced_block', synced_block: { synced_from: { block_id: from.block_id } } }
        : { type: 'synced_block', synced_block: { synced_from: null } };
    }
    case 'link_to_page': {
      const target = block.link_to_page;
      if (target.type === 'page_id') return { type: 'link_to_page', link_to_page: { page_id: target.page_id } };
      if (target.type === 'database_id') {
        return { type: 'link_to_page', link_to_page: { database_id: target.database_id } };
      }
      return { type: 'link_to_page', link_to_page: { comment_id: target.comment_id } };
    }
    case 'child_page':
      // Pages are created with pages.create, not appended; link to the page instead.
      return { type: 'link_to_page', link_to_page: { page_id: block.id } };
    case 'child_database':
      return { type: 'link_to_page', link_to_page: { database_id: block.id } };
    case 'bookmark':
      return { type: 'bookmark', bookmark: { url: block.bookmark.url, caption: richText(block.bookmark.caption) } };
    case 'embed':
      return { type: 'embed', embed: { url: block.embed.url, caption: richText(block.embed.caption) } };
    case 'link_preview':
      return { type: 'bookmark', bookmark: { url: block.link_preview.url } };
    case 'image':
      return { type: 'image', image: media(block.image) };
    case 'video':
      return { type: 'video', video: media(block.video) };
    case 'pdf':
      return { type: 'pdf', pdf: media(block.pdf) };
    case 'audio':
      return { type: 'audio', audio: media(block.audio) };
    case 'file':
      return { type: 'file', file: { ...media(block.file), name: block.file.name } };
    default:
      return placeholder(block.type === 'unsupported' ? block.unsupported.block_type : block.type);
  }
}

/** Visible in the page so nothing is lost silently. */
function placeholder(blockType: string): BlockTree {
  const content = `[A ${blockType.replace(/_/g, ' ')} block was here and could not be restored.]`;
  return { type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content } }] } };
}

/** Notion-hosted files cannot be re-attached by URL; their signed URL works as an external file for about an hour. */
function media(data: MediaResponse): MediaRequest {
  const url = data.type === 'external' ? data.external.url : data.file.url;
  return { type: 'external', external: { url }, caption: richText(data.caption) };
}

function iconField(icon: IconResponse | null): { icon?: IconRequest } {
  if (!icon) return {};
  switch (icon.type) {
    case 'emoji':
      return { icon: { type: 'emoji', emoji: icon.emoji } };
    case 'external':
      return { icon: { type: 'external', external: { url: icon.external.url } } };
    case 'file':
      return { icon: { type: 'external', external: { url: icon.file.url } } };
    case 'custom_emoji':
      return { icon: { type: 'custom_emoji', custom_emoji: { id: icon.custom_emoji.id } } };
    case 'icon':
      return { icon: { type: 'icon', icon: { name: icon.icon.name, color: icon.icon.color } } };
  }
}

/** Read rich text → request rich text, keeping annotations, links and mentions. */
export function richText(items: readonly RichTextItemResponse[]): RichTextItemRequest[] {
  return items.map(richTextItem);
}

function richTextItem(item: RichTextItemResponse): RichTextItemRequest {
  const annotations = { ...item.annotations };
  switch (item.type) {
    case 'text':
      return {
        type: 'text',
        text: { content: item.text.content, ...(item.text.link ? { link: { url: item.text.link.url } } : {}) },
        annotations,
      };
    case 'equation':
      return { type: 'equation', equation: { expression: item.equation.expression }, annotations };
    case 'mention': {
      const mention = item.mention;
      switch (mention.type) {
        case 'user':
          return { type: 'mention', mention: { user: { id: mention.user.id } }, annotations };
        case 'date': {
          const { start, end, time_zone } = mention.date;
          const date = { start, ...(end ? { end } : {}), ...(time_zone ? { time_zone } : {}) };
          return { type: 'mention', mention: { date }, annotations };
        }
        case 'page':
          return { type: 'mention', mention: { page: { id: mention.page.id } }, annotations };
        case 'database':
          return { type: 'mention', mention: { database: { id: mention.database.id } }, annotations };
        case 'template_mention': {
          const template = mention.template_mention;
          return {
            type: 'mention',
            mention: {
              template_mention:
                template.type === 'template_mention_date'
                  ? { type: 'template_mention_date', template_mention_date: template.template_mention_date }
                  : { type: 'template_mention_user', template_mention_user: template.template_mention_user },
            },
            annotations,
          };
        }
        case 'custom_emoji':
          return { type: 'mention', mention: { custom_emoji: { id: mention.custom_emoji.id } }, annotations };
        default: {
          // Link previews and link mentions cannot be created through the API: keep them as links.
          const target = mention.type === 'link_preview' ? mention.link_preview.url : mention.link_mention.href;
          const url = item.href ?? target;
          return { type: 'text', text: { content: item.plain_text || url, link: { url } }, annotations };
        }
      }
    }
  }
}
