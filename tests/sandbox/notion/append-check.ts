// One append request (PATCH /v1/blocks/{id}/children) checked exactly as the sandbox's Notion checks it,
// without a server: the body's keys and size, then its children — ≤ 100 per array, ≤ 2 levels of
// nesting, ≤ 1,000 elements, and each block's own rules (rich text items and lengths, link schemes,
// code languages, equation length, table widths). Throws Notion's validation error; for unit tests that
// prove a whole write plan is accepted.
import { parseChildren, onlyKeys, expectObject, type ContainerInfo } from './content.ts';
import { validation } from './errors.ts';
import { MAX_BODY_BYTES } from './limits.ts';
import { Store } from './store.ts';

/** `parent`: the block appended to (a table takes only rows), absent for a page. */
export function checkAppend(body: unknown, parent?: ContainerInfo): void {
  const json = JSON.stringify(body);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_BODY_BYTES) {
    throw validation(`Request body too large: ${bytes} bytes; the limit is ${MAX_BODY_BYTES}.`);
  }
  const request = expectObject(JSON.parse(json), 'body');
  onlyKeys(request, ['children', 'position'], 'body');
  parseChildren(request.children, 'body.children', { store: new Store() }, parent);
}
