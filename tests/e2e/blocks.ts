// Pages for E2E: a fresh page open with the panel, and block trees in one comparable shape, whether
// they are what Inkling meant to write (request form) or what the sandbox holds afterwards (response
// form): type, text, and the few fields that matter.
import type { Page } from 'puppeteer-core';
import { markdownToBlocks } from '../../src/notion/markdown-to-blocks.ts';
import { type BlockTree } from '../../src/shared/notion-shapes.ts';
import type { BlockTreeNode } from '../sandbox/notion/index.ts';
import { pageHref } from '../sandbox/site/index.ts';
import { click, openNotion, openPanel, typeInto, type World } from './harness.ts';

/** A fresh shared page with one paragraph, open in a tab with the panel showing it. */
export async function freshPage(world: World, pages: Page[], title: string): Promise<{ id: string; page: Page }> {
  const id = world.sandbox.notion.createPage({
    title,
    children: [
      { type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'Existing text.' } }] } },
    ],
  });
  const page = await openNotion(world, pageHref(id, title));
  pages.push(page);
  await openPanel(page, title);
  return { id, page };
}

/** Writes the prompt in the panel and clicks Generate. */
export async function generate(page: Page, prompt: string): Promise<void> {
  await typeInto(page, 'Prompt', prompt);
  await click(page, 'Generate');
}

/** The page's blocks as the sandbox holds them, in comparable shape. */
export const treeOf = (world: World, id: string): Shape[] => world.sandbox.notion.getBlockTree(id).map(shapeOf);

/** Append requests the sandbox answered (or saw fail). */
export const appendRequests = (world: World) =>
  world.sandbox.notion.requestLog.filter((r) => r.route === 'PATCH /v1/blocks/:id/children');

export interface Shape {
  type: string;
  text?: string;
  language?: string;
  checked?: boolean;
  expression?: string;
  cells?: string[];
  links?: string[];
  children?: Shape[];
}

type Rich = Array<{
  text?: { content: string; link?: { url: string } | null };
  plain_text?: string;
  href?: string | null;
}>;

const textOf = (rich: Rich | undefined) => (rich ?? []).map((t) => t.plain_text ?? t.text?.content ?? '').join('');
const linksOf = (rich: Rich | undefined) =>
  (rich ?? []).flatMap((t) => ((t.href ?? t.text?.link?.url) ? [t.href ?? t.text!.link!.url] : []));

export function shapeOf(block: BlockTree | BlockTreeNode): Shape {
  const record = block as Record<string, unknown>;
  const data = (record[block.type] ?? {}) as Record<string, unknown> & { rich_text?: Rich; children?: unknown[] };
  const shape: Shape = { type: block.type };
  if (data.rich_text) {
    shape.text = textOf(data.rich_text);
    const links = linksOf(data.rich_text);
    if (links.length) shape.links = links;
  }
  if (typeof data.language === 'string') shape.language = data.language;
  if (typeof data.checked === 'boolean') shape.checked = data.checked;
  if (typeof data.expression === 'string') shape.expression = data.expression;
  if (Array.isArray(data.cells)) shape.cells = (data.cells as Rich[]).map(textOf);
  const children = ((record.children as unknown[]) ?? data.children ?? []) as Array<BlockTree | BlockTreeNode>;
  if (children.length) shape.children = children.map(shapeOf);
  return shape;
}

/** What Inkling should have written for this Markdown. */
export function expectedShapes(markdown: string): Shape[] {
  return markdownToBlocks(markdown).map(shapeOf);
}
