// The worker world for a unit-test file of the background's handlers: started once for the file (its
// Notion clients pointed at it), closed after it, and before each test Notion, the models and the
// browser's storage start empty with settings as Save leaves them — the hooks every such file would
// otherwise write out again. The file still mocks src/notion/client.ts itself (see worker-world.ts):
// vi.mock must stand in the test file.
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { clearAllStorage } from '../../src/storage.ts';
import { captureHandlers, saveSandboxSettings, startWorkerWorld, type Ask, type WorkerWorld } from './worker-world.ts';

/**
 * Starts the world in beforeAll, registers the handlers under test and hands both to `ready`;
 * `sandbox` is the object the file's mock of the Notion client reads its address from.
 */
export function useWorkerWorld(
  sandbox: { notionUrl: string },
  register: () => void,
  ready: (world: WorkerWorld, ask: Ask) => void,
): void {
  let world: WorkerWorld | undefined;
  beforeAll(async () => {
    world = await startWorkerWorld();
    sandbox.notionUrl = world.notionUrl;
    ready(world, captureHandlers(register));
  });
  afterAll(() => world?.close());
  beforeEach(async () => {
    fakeBrowser.reset();
    await clearAllStorage();
    world!.notion.reset();
    world!.notion.clearRequestLog();
    world!.models.reset();
    await saveSandboxSettings(world!);
    // Notion's and the model's refusals are logged (redacted) as they are turned into problems.
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => void vi.restoreAllMocks());
}
