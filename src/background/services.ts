// What the background's handlers are given to work with: a Notion client for the saved secret, the
// saved engine's configuration with its defaults, and Save's dependencies. Made here, once, so a
// handler never reads secrets or builds a client itself.
import type { Client } from '@notionhq/client';
import { listConnections } from '../connections/connections';
import { backfillMirror, requestMirrorFlush } from '../connections/mirror';
import { ensureConnectionsSchema } from '../connections/connections-database';
import { createEngine, engineConfigFrom, type EngineChoice, type EngineConfig } from '../llm/factory';
import { createNotionClient } from '../notion/client';
import { NO_TOKEN_PROBLEM } from '../notion/errors';
import type { SaveDeps } from '../settings/save';
import { limitsFor } from '../shared/limit-presets';
import { InklingError } from '../shared/problem';
import { readSecrets, readSettings } from '../storage';

/**
 * A Notion client for the saved secret (its requests cut when `signal` aborts); the `no_token`
 * problem when there is none.
 */
export async function notionClient(signal?: AbortSignal): Promise<Client> {
  const { notionToken } = await readSecrets();
  if (!notionToken) throw new InklingError(NO_TOKEN_PROBLEM);
  return createNotionClient(notionToken, signal ? { signal } : {});
}

/** The saved engine (engineConfigFrom defaults its model), or the one chosen for a run, and the speed preset it runs at. */
export async function savedEngine(choice?: EngineChoice): Promise<{ config: EngineConfig; limitPreset: string }> {
  const [settings, secrets] = await Promise.all([readSettings(), readSecrets()]);
  const config = engineConfigFrom(settings, secrets, choice);
  return { config, limitPreset: limitsFor(config.engine, settings.limitPresets[config.engine]).id };
}

/** Save's dependencies: real clients, and the connections database readied and filled when chosen. */
export const saveDeps: SaveDeps = {
  notionClient: (token) => createNotionClient(token),
  engine: createEngine,
  connectionsDatabase: {
    ready: ensureConnectionsSchema,
    async adopted() {
      await backfillMirror(await listConnections());
      requestMirrorFlush();
    },
  },
};
