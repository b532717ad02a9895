// How block writes reach Notion through the SDK: the append itself, a parent's children (to look
// for a request whose outcome is unknown), and the integration's own user id (only blocks it
// created can be Inkling's). One per write; the bot's id is asked for once, and only when needed.
import type { Client } from '@notionhq/client';
import type { WriteIo } from './block-writer';
import { listChildren } from './read-blocks';

/** A client whose requests call `onDispatch` as they leave for Notion (see PacedInit). */
export type ClientWithDispatch = (onDispatch: () => Promise<void>) => Client;

export function blockWriteIo(client: Client, clientWith: ClientWithDispatch): WriteIo {
  let botId: Promise<string> | undefined;
  return {
    append: async ({ blockId, children, afterBlockId }, _signal, dispatched) => {
      const response = await (dispatched ? clientWith(dispatched) : client).blocks.children.append({
        block_id: blockId,
        children,
        ...(afterBlockId ? { position: { type: 'after_block', after_block: { id: afterBlockId } } } : {}),
      });
      return { ids: response.results.map((block) => block.id) };
    },
    listChildren: (blockId) => listChildren(client, blockId),
    botId: () => (botId ??= client.users.me({}).then((me) => me.id)),
  };
}
