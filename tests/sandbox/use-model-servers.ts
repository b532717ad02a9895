// The sandbox's model servers for a unit-test file of the engines: OpenAI's, Gemini's and an
// OpenAI-compatible one (as Ollama), each on 127.0.0.1, started once for the file and closed after
// it, with the calls, scripts and batches forgotten before each test — the hooks each such file would
// otherwise write out again.
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import type { ModelApis } from './models/index.ts';
import { serveHandler, type Served } from './serve.ts';

/** Each server's address (http://127.0.0.1:<port>), once the file's servers have started. */
export type ModelServers = Record<'openai' | 'gemini' | 'compatible', { readonly url: string }>;

export function useModelServers(apis: ModelApis): ModelServers {
  const served: Partial<Record<keyof ModelServers, Served>> = {};
  beforeAll(async () => {
    served.openai = await serveHandler(
      (q, s) => apis.handleOpenAI(q, s),
      () => 'https://api.openai.com',
    );
    served.gemini = await serveHandler(
      (q, s) => apis.handleGemini(q, s),
      () => 'https://generativelanguage.googleapis.com',
    );
    served.compatible = await serveHandler(
      (q, s) => apis.handleCompatible(q, s),
      (port) => `http://127.0.0.1:${port}`,
    );
  });
  afterAll(() => Promise.all(Object.values(served).map((s) => s.close())));
  beforeEach(() => {
    // Raw provider errors go to the console by design; keep the test output readable.
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    apis.reset();
  });
  const at = (name: keyof ModelServers) => ({
    get url() {
      const server = served[name];
      if (!server) throw new Error('The model servers start in beforeAll: use them inside a test or a hook.');
      return server.url;
    },
  });
  return { openai: at('openai'), gemini: at('gemini'), compatible: at('compatible') };
}
