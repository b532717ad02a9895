// The notion.so look-alike. It renders what the simulated API holds, as the user would see it in
// Notion — regardless of what the integration was shared with — and navigates like Notion does: in
// the same document, with history.pushState, so the content script's navigation handling is real.
import type { ServerResponse } from 'node:http';
import { sendJson, type SandboxRequest } from '../http-util.ts';
import { esc, propertyText, renderBlocks, type BlockNode } from './render.ts';
import { defaultViewIdFor } from '../notion/ids.ts';

/** What the site needs from the simulated Notion API. */
export interface SiteSource {
  resolveTitle(id: string): { kind: 'page' | 'database'; title: string } | undefined;
  getBlockTree(id: string): BlockNode[];
  getPage(id: string): { properties: Record<string, Record<string, unknown>> } | undefined;
  getDatabase(id: string): { data_sources: Array<{ id: string }> } | undefined;
  getDataSource(id: string): { properties: Record<string, { name: string; type: string }> } | undefined;
  /** The rows a view shows (all of them without one), in its order. */
  queryRows(
    dataSourceId: string,
    view?: Pick<SiteView, 'filter' | 'sorts'>,
  ): Array<{ id: string; properties: Record<string, Record<string, unknown>> }>;
  /** A database's views in tab order, the default view first. */
  listViews(databaseId: string): SiteView[];
  /** Ids shown in the sidebar, top-level first. */
  sidebarIds(): string[];
}

/** A database view, as the API's view object has it. */
export interface SiteView {
  id: string;
  name: string;
  data_source_id: string;
  filter: Record<string, unknown> | null;
  sorts: Array<Record<string, unknown>> | null;
}

const HEX = (id: string) => id.replace(/-/g, '');
/** A database's default view, as the simulated API has it (its id is derived from the database's). */
export const viewIdFor = (databaseId: string) => HEX(defaultViewIdFor(databaseId));
export const WORKSPACE_SLUG = 'inkling-sandbox';

function slug(title: string): string {
  return title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'Untitled';
}

export function pageHref(id: string, title: string): string {
  return `/${slug(title)}-${HEX(id)}`;
}

/** A database's link, on its default view or on the view given (as Notion's links carry it, `?v=`). */
export function databaseHref(id: string, viewId?: string): string {
  return `/${WORKSPACE_SLUG}/${HEX(id)}?v=${viewId ? HEX(viewId) : viewIdFor(id)}`;
}

/** A row opened beside its database (Notion's side peek), on the view it was opened from. */
export function peekHref(databaseId: string, rowId: string, viewId?: string): string {
  return `${databaseHref(databaseId, viewId)}&p=${HEX(rowId)}&pm=s`;
}

/**
 * A content security policy as strict as notion.so's where it could touch an extension: scripts and
 * connections only from the app's own origin (Notion lists a few of its own services besides, never an
 * extension's), inline scripts and styles allowed as the app uses them. Inkling's content script, the
 * panel it loads and their styles must work under it.
 */
const APP_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; frame-src 'none'; object-src 'none'";

const ID_IN_PATH = /(?:^|-)([0-9a-f]{32})$/i;

function toUuid(hex: string): string {
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class NotionSite {
  private readonly source: SiteSource;
  /**
   * The theme a person picked in Notion: Notion marks dark with `dark` on its body, following the
   * system's prefers-color-scheme for 'system' (its default) and switching without a reload.
   */
  theme: 'light' | 'dark' | 'system' = 'system';

  constructor(source: SiteSource) {
    this.source = source;
  }

  href(id: string): string {
    const found = this.source.resolveTitle(id);
    if (!found) return `/${HEX(id)}`;
    return found.kind === 'database' ? databaseHref(id) : pageHref(id, found.title);
  }

  async handle(req: SandboxRequest, res: ServerResponse): Promise<void> {
    if (req.url.pathname === '/__site/render') {
      const target = new URL(req.url.searchParams.get('path') ?? '/', 'https://www.notion.so');
      return sendJson(res, 200, this.renderMain(target));
    }
    if (req.url.pathname === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    const { title, html } = this.renderMain(req.url);
    const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body class="notion-body${this.theme === 'dark' ? ' dark' : ''}" data-theme-choice="${this.theme}"><div id="notion-app"><nav class="sidebar"><div class="workspace">Inkling Sandbox</div>${this.sidebar()}</nav>
<main id="main">${html}</main></div><script>${CLIENT_SCRIPT}</script></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': APP_CSP });
    res.end(body);
  }

  private sidebar(): string {
    return this.source
      .sidebarIds()
      .map((id) => {
        const found = this.source.resolveTitle(id);
        return found
          ? `<a data-inapp class="sidebar-item" href="${esc(this.href(id))}">${found.kind === 'database' ? '🗂' : '📄'} ${esc(found.title)}</a>`
          : '';
      })
      .join('');
  }

  /** The main column for a URL, and the tab title Notion would show. */
  renderMain(url: URL): { title: string; html: string } {
    const segment = url.pathname.split('/').filter(Boolean).pop() ?? '';
    const hex = ID_IN_PATH.exec(segment)?.[1];
    if (!hex)
      return {
        title: 'Inkling Sandbox',
        html: '<h1 class="page-title">Inkling Sandbox</h1><p>Pick a page on the left.</p>',
      };
    const id = toUuid(hex);
    const found = this.source.resolveTitle(id);
    if (!found) return { title: 'Page not found', html: '<h1 class="page-title">This page does not exist</h1>' };
    if (found.kind === 'page') {
      return { title: found.title, html: this.renderPage(id, found.title) };
    }
    const peek = url.searchParams.get('p');
    let html = this.renderDatabase(id, found.title, url.searchParams.get('v'));
    if (peek && /^[0-9a-f]{32}$/i.test(peek)) {
      const rowId = toUuid(peek);
      const row = this.source.resolveTitle(rowId);
      if (row) html += `<aside class="peek" data-peek="${esc(rowId)}">${this.renderPage(rowId, row.title)}</aside>`;
    }
    return { title: found.title, html };
  }

  private renderPage(id: string, title: string): string {
    const page = this.source.getPage(id);
    const props = Object.entries(page?.properties ?? {}).filter(([, v]) => v.type !== 'title');
    const propsHtml = props.length
      ? `<dl class="properties">${props.map(([name, v]) => `<dt>${esc(name)}</dt><dd>${esc(propertyText(v))}</dd>`).join('')}</dl>`
      : '';
    const blocks = renderBlocks(this.source.getBlockTree(id), (childId) => this.href(childId));
    return `<article data-page-id="${esc(id)}"><h1 class="page-title">${esc(title)}</h1>${propsHtml}<div class="page-content">${blocks}</div></article>`;
  }

  /**
   * A database on the view its link names (`?v=`, dashed or 32 hex), as a table of the rows that view
   * shows, with the database's views as tabs above it. A link naming no view of this database (none,
   * or one since deleted) opens on its first view, as Notion's do.
   */
  private renderDatabase(id: string, title: string, viewParam: string | null): string {
    const views = this.source.listViews(id);
    const wanted = viewParam ? HEX(viewParam).toLowerCase() : undefined;
    const view = views.find((v) => HEX(v.id) === wanted) ?? views[0];
    const dataSourceId = view?.data_source_id ?? this.source.getDatabase(id)?.data_sources[0]?.id;
    const schema = dataSourceId ? this.source.getDataSource(dataSourceId) : undefined;
    if (!dataSourceId || !schema) return `<h1 class="page-title">${esc(title)}</h1>`;
    const columns = Object.values(schema.properties);
    const titleColumn = columns.find((c) => c.type === 'title');
    const ordered = titleColumn ? [titleColumn, ...columns.filter((c) => c !== titleColumn)] : columns;
    const head = ordered.map((c) => `<th>${esc(c.name)}</th>`).join('');
    let shown: ReturnType<SiteSource['queryRows']> = [];
    let problem = '';
    try {
      shown = this.source.queryRows(dataSourceId, view);
    } catch (error) {
      // A view whose filter names a column deleted since: say so rather than fail the whole page.
      problem = `<p class="view-problem">${esc(error instanceof Error ? error.message : String(error))}</p>`;
    }
    const rows = shown
      .map((row) => {
        const cells = ordered
          .map((c) => {
            const text = esc(propertyText(row.properties[c.name]));
            return c === titleColumn
              ? `<td><a data-inapp href="${esc(peekHref(id, row.id, view?.id))}">${text || 'Untitled'}</a></td>`
              : `<td>${text}</td>`;
          })
          .join('');
        return `<tr data-row-id="${esc(row.id)}">${cells}</tr>`;
      })
      .join('');
    const tabs = views
      .map(
        (v) =>
          `<a data-inapp class="view-tab" data-view-id="${esc(v.id)}" href="${esc(databaseHref(id, v.id))}"${v === view ? ' aria-current="page"' : ''}>${esc(v.name)}</a>`,
      )
      .join('');
    const tabBar = tabs ? `<nav class="views" aria-label="Views">${tabs}</nav>` : '';
    return `<section data-database-id="${esc(id)}"${view ? ` data-view-id="${esc(view.id)}"` : ''}><h1 class="page-title">${esc(title)}</h1>${tabBar}${problem}<table class="collection"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></section>`;
  }
}

const STYLE = `
body{margin:0;font:16px/1.5 ui-sans-serif,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#37352f;background:#fff}
body.dark{color:rgba(255,255,255,.81);background:#191919}
body.dark .sidebar{background:#202020}
body.dark .sidebar-item:hover{background:#2c2c2c}
body.dark .collection th,body.dark .collection td{border-color:#2f2f2f}
body.dark .peek{background:#252525}
body.dark pre{background:#202020}
body.dark .properties,body.dark .view-tab{color:#9b9b9b}
body.dark .view-tab[aria-current="page"]{color:inherit}
#notion-app{display:flex;min-height:100vh}
.sidebar{width:240px;background:#f7f7f5;padding:12px 8px;flex-shrink:0}
.workspace{font-weight:600;padding:4px 8px 12px}
.sidebar-item{display:block;padding:3px 8px;color:inherit;text-decoration:none;border-radius:4px}
.sidebar-item:hover{background:#ebebea}
main{flex:1;padding:48px 96px;position:relative}
.page-title{font-size:40px;margin:0 0 16px}
.views{display:flex;gap:4px;margin:0 0 8px;font-size:14px}
.view-tab{padding:2px 8px;color:#6f6e69;text-decoration:none;border-bottom:2px solid transparent}
.view-tab[aria-current="page"]{color:inherit;border-bottom-color:currentColor}
.collection{border-collapse:collapse;width:100%}
.collection th,.collection td{border:1px solid #e9e9e7;padding:6px 8px;text-align:left;font-size:14px}
.peek{position:fixed;top:0;right:0;bottom:0;width:45%;background:#fff;box-shadow:-4px 0 16px rgba(0,0,0,.12);padding:32px;overflow:auto}
pre{background:#f7f6f3;padding:16px;border-radius:4px;overflow:auto}
.properties{display:grid;grid-template-columns:160px 1fr;gap:4px 12px;color:#787774;font-size:14px}
`;

// In-app navigation, as Notion does it: no page load, just pushState and a re-render. And the
// system theme followed as Notion follows it: body.dark switched when prefers-color-scheme changes.
const CLIENT_SCRIPT = `
(() => {
  if (document.body.dataset.themeChoice === 'system') {
    const media = matchMedia('(prefers-color-scheme: dark)');
    const follow = () => document.body.classList.toggle('dark', media.matches);
    follow();
    media.addEventListener('change', follow);
  }
  const main = document.getElementById('main');
  async function render() {
    const res = await fetch('/__site/render?path=' + encodeURIComponent(location.pathname + location.search));
    const { title, html } = await res.json();
    document.title = title;
    main.innerHTML = html;
  }
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[data-inapp]');
    if (!link) return;
    event.preventDefault();
    history.pushState({}, '', link.getAttribute('href'));
    render();
  });
  window.addEventListener('popstate', render);
})();
`;
