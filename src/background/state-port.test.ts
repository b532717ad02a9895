// The state port's background side: a panel or popup connects, watches targets, and is sent each
// watched target's latest job (as the UI sees it: no replaced page's block snapshot) and the text a
// run streams — until it unwatches or goes away. Strangers are disconnected at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { FIXTURES, installOnConnect, SENDERS, type FakePort } from '../../tests/sandbox/worker-world.ts';
import { createJob, updateJob } from '../jobs/job-store';
import { EMPTY_USAGE, type PageJob } from '../shared/job';
import { clearAllStorage, writeSecrets } from '../storage';
import type { SenderInfo } from './senders';
import { registerStatePort } from './state-port';

/** Where the runner sends streamed text: the state port's listener, caught here. */
const runner = vi.hoisted(() => ({
  textListener: undefined as undefined | ((job: { id: string; targetId: string }, text: string) => void),
}));
vi.mock('../jobs/runner', () => ({
  onJobText: (listener: (job: { id: string; targetId: string }, text: string) => void) => {
    runner.textListener = listener;
  },
}));

let connectPort: ReturnType<typeof installOnConnect>;
const open: FakePort[] = [];

function connect(sender: SenderInfo | undefined, name?: string): FakePort {
  const port = connectPort(sender, name);
  open.push(port);
  return port;
}

beforeEach(async () => {
  fakeBrowser.reset();
  await clearAllStorage();
  await writeSecrets({ notionToken: FIXTURES.token, compatibleKey: 'sk-local-StatePortSecret01' });
  connectPort = installOnConnect();
  registerStatePort();
});
afterEach(() => {
  // Whatever the test left connected goes away, so the next test starts with no watcher.
  for (const port of open.splice(0)) port.onDisconnect.fire();
});

const PAGE = FIXTURES.playgroundPageId;
const OTHER = FIXTURES.topicsDatabaseId;

function pageJob(targetId: string, extra: Partial<PageJob> = {}): PageJob {
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    kind: 'page',
    connectionId: crypto.randomUUID(),
    targetId,
    targetTitle: 'Inkling Playground',
    targetUrl: 'https://www.notion.so/Inkling-Playground-c0000000000040008000000000000001',
    status: 'running',
    createdAt: now,
    updatedAt: now,
    engine: {
      engine: 'compatible',
      model: 'llama3.2:latest',
      baseUrl: 'http://127.0.0.1:11434/v1',
      limitPreset: 'local',
    },
    usage: EMPTY_USAGE,
    prompt: 'Write me a blog on Notion in 100 words',
    useContext: false,
    mode: 'replace',
    phase: 'writing',
    createdIds: [],
    ...extra,
  };
}

const REPLACED: NonNullable<PageJob['replaced']> = {
  blocks: [
    {
      type: 'paragraph',
      paragraph: { rich_text: [{ type: 'text', text: { content: 'What the page held before' } }] },
    } as never,
  ],
  removedIds: [FIXTURES.playgroundParagraphBlockId],
  keptCount: 1,
};

describe('the state port', () => {
  it('answers a watch with the target’s latest job, without the replaced page’s blocks, or null', async () => {
    await createJob(pageJob(PAGE, { status: 'done' }));
    const latest = await createJob(pageJob(PAGE, { replaced: REPLACED }));
    const port = connect(SENDERS.panel);
    await port.request({ type: 'watch', targetId: PAGE });
    await port.request({ type: 'watch', targetId: OTHER });
    expect(port.sent).toEqual([
      { type: 'job', targetId: PAGE, job: { ...latest, replaced: { ...REPLACED, blocks: [] } } },
      { type: 'job', targetId: OTHER, job: null },
    ]);
    const text = JSON.stringify(port.sent);
    expect(text).not.toContain('What the page held before');
    expect(text).not.toContain(FIXTURES.token);
    expect(text).not.toContain('sk-local-StatePortSecret01');
    expect(port.disconnect).not.toHaveBeenCalled();
  });

  it('sends every change of a watched target’s job as it is saved, and nothing about other targets', async () => {
    const job = await createJob(pageJob(PAGE));
    const other = await createJob(pageJob(OTHER));
    const panel = connect(SENDERS.panel);
    const popup = connect(SENDERS.popup);
    await panel.request({ type: 'watch', targetId: PAGE });
    await popup.request({ type: 'watch', targetId: OTHER });
    panel.sent.length = 0;
    popup.sent.length = 0;

    await updateJob<PageJob>(job.id, (j) => {
      j.replaced = REPLACED;
      j.progress = { done: 1, total: 3 };
    });
    await updateJob(other.id, (j) => void (j.status = 'done'));
    expect(panel.sent).toEqual([
      {
        type: 'job',
        targetId: PAGE,
        job: expect.objectContaining({
          id: job.id,
          progress: { done: 1, total: 3 },
          replaced: { ...REPLACED, blocks: [] },
        }),
      },
    ]);
    expect(popup.sent).toEqual([
      { type: 'job', targetId: OTHER, job: expect.objectContaining({ id: other.id, status: 'done' }) },
    ]);
  });

  it('passes on the text a run streams to whoever watches its target', async () => {
    const panel = connect(SENDERS.panel);
    const elsewhere = connect(SENDERS.popup);
    await panel.request({ type: 'watch', targetId: PAGE });
    await elsewhere.request({ type: 'watch', targetId: OTHER });
    panel.sent.length = 0;
    elsewhere.sent.length = 0;
    runner.textListener!({ id: 'job-1', targetId: PAGE }, '# Notion');
    runner.textListener!({ id: 'job-1', targetId: PAGE }, '# Notion\n\nNotion is');
    expect(panel.sent).toEqual([
      { type: 'text', jobId: 'job-1', text: '# Notion' },
      { type: 'text', jobId: 'job-1', text: '# Notion\n\nNotion is' },
    ]);
    expect(elsewhere.sent).toEqual([]);
  });

  it('stops sending a target after unwatch, and everything after the port disconnects', async () => {
    const job = await createJob(pageJob(PAGE));
    const other = await createJob(pageJob(OTHER));
    const port = connect(SENDERS.panel);
    await port.request({ type: 'watch', targetId: PAGE });
    await port.request({ type: 'watch', targetId: OTHER });
    await port.request({ type: 'unwatch', targetId: PAGE });
    port.sent.length = 0;

    await updateJob(job.id, (j) => void (j.status = 'done'));
    runner.textListener!({ id: job.id, targetId: PAGE }, 'text');
    expect(port.sent).toEqual([]);
    await updateJob(other.id, (j) => void (j.status = 'done'));
    expect(port.sent).toHaveLength(1);

    port.onDisconnect.fire();
    await updateJob(other.id, (j) => void (j.status = 'undone'));
    runner.textListener!({ id: other.id, targetId: OTHER }, 'text');
    expect(port.sent).toHaveLength(1);
  });

  it('drops a port it can no longer post to', async () => {
    const job = await createJob(pageJob(PAGE));
    const port = connect(SENDERS.panel);
    await port.request({ type: 'watch', targetId: PAGE });
    port.postMessage.mockImplementation(() => {
      throw new Error('Attempting to use a disconnected port object');
    });
    await updateJob(job.id, (j) => void (j.status = 'done'));
    expect(port.postMessage).toHaveBeenCalledTimes(2);
    runner.textListener!({ id: job.id, targetId: PAGE }, 'text');
    await updateJob(job.id, (j) => void (j.status = 'undone'));
    expect(port.postMessage).toHaveBeenCalledTimes(2);
  });

  it('ignores requests that are not watch or unwatch of a target, and changes that are not a saved job', async () => {
    const port = connect(SENDERS.panel);
    for (const request of [
      null,
      'watch',
      { type: 'watch' },
      { type: 'watch', targetId: 7 },
      { type: 'watch', targetId: '../../settings' },
      { type: 'subscribe', targetId: PAGE },
    ])
      await port.request(request);
    expect(port.sent).toEqual([]);
    await port.request({ type: 'watch', targetId: PAGE });
    port.sent.length = 0;
    const job = pageJob(PAGE);
    await fakeBrowser.storage.local.set({ settings: { targetId: PAGE } });
    await fakeBrowser.storage.sync.set({ [`job:${job.id}`]: job });
    await fakeBrowser.storage.local.set({ [`job:${job.id}`]: job });
    await fakeBrowser.storage.local.remove(`job:${job.id}`);
    expect(port.sent).toEqual([{ type: 'job', targetId: PAGE, job }]);
  });

  it('disconnects a port from anyone but Inkling’s own pages and panel', async () => {
    await createJob(pageJob(PAGE));
    for (const sender of [SENDERS.webPage, SENDERS.otherExtension, SENDERS.notionFrame, SENDERS.empty, undefined]) {
      const port = connect(sender);
      expect(port.disconnect).toHaveBeenCalledOnce();
      expect(port.onMessage.hasListeners()).toBe(false);
      runner.textListener!({ id: 'job-1', targetId: PAGE }, 'text');
      expect(port.sent).toEqual([]);
    }
  });

  it('leaves ports of another name alone', async () => {
    const port = connect(SENDERS.panel, 'something-else');
    expect(port.disconnect).not.toHaveBeenCalled();
    expect(port.onMessage.hasListeners()).toBe(false);
  });
});
