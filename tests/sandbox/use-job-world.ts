// The job world for a unit-test file of runs: started once for the file, closed after it, and before
// each test Notion, the models and the browser's storage start empty — the same four hooks every such
// file would otherwise write out again.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { clearAllStorage } from '../../src/storage.ts';
import { getConnection, upsertConnection } from '../../src/connections/connections.ts';
import type { Connection } from '../../src/shared/connection.ts';
import { startJobWorld, type JobWorld, type JobWorldOptions } from './job-world.ts';

/** The file's job world: usable inside tests and hooks (it starts in beforeAll). */
export function useJobWorld(options: JobWorldOptions = {}): JobWorld {
  let started: JobWorld | undefined;
  const live = (): JobWorld => {
    if (!started) throw new Error('The job world starts in beforeAll: use it inside a test or a hook.');
    return started;
  };
  beforeAll(async () => {
    started = await startJobWorld(options);
  });
  afterAll(() => started?.close());
  beforeEach(async () => {
    fakeBrowser.reset();
    await clearAllStorage();
    live().notion.reset();
    live().models.reset();
  });
  return {
    get notion() {
      return live().notion;
    },
    get models() {
      return live().models;
    },
    context: (...args) => live().context(...args),
    client: () => live().client(),
    hold: (...args) => live().hold(...args),
    close: () => live().close(),
  };
}

/**
 * A database connection as Start saves it (made now when it is new): a run's marks are kept only for a
 * connection that exists, and a refresh counts rows added since it began as new.
 */
export async function savedConnection(id: string, databaseId: string): Promise<Connection> {
  return (
    (await getConnection(id)) ??
    upsertConnection({
      id,
      name: 'Test connection',
      kind: 'database',
      targetId: databaseId,
      targetTitle: '',
      targetUrl: '',
      prompt: '',
      engine: 'compatible',
      model: 'llama3.2:latest',
      options: {},
    })
  );
}
