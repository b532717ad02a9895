import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createJob, latestJobFor, listJobIndex, readJob, updateJob } from './job-store';
import { EMPTY_USAGE, type PageJob } from '../shared/job';

function pageJob(id: string, targetId = 'page-1', createdAt = 1): PageJob {
  return {
    id,
    kind: 'page',
    connectionId: 'c',
    targetId,
    targetTitle: 'T',
    targetUrl: 'https://www.notion.so/T',
    status: 'running',
    createdAt,
    updatedAt: createdAt,
    engine: { engine: 'gemini', model: 'm', baseUrl: '', limitPreset: 'free' },
    usage: EMPTY_USAGE,
    prompt: 'p',
    useContext: false,
    mode: 'append',
    phase: 'generating',
    createdIds: [],
  };
}

describe('job store', () => {
  beforeEach(() => fakeBrowser.reset());

  it('saves what a change does to the job, whether it mutates or returns', async () => {
    await createJob(pageJob('a'));
    await updateJob<PageJob>('a', (j) => void (j.phase = 'writing'));
    expect((await readJob('a'))?.phase).toBe('writing');
    await updateJob<PageJob>('a', (j) => ({ ...j, answer: 'x' }));
    expect(await readJob('a')).toMatchObject({ phase: 'writing', answer: 'x' });
  });

  it('serialises concurrent changes so none is lost', async () => {
    await createJob(pageJob('b'));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => updateJob<PageJob>('b', (j) => void j.createdIds.push(`id-${i}`))),
    );
    expect(((await readJob('b')) as PageJob).createdIds).toHaveLength(20);
  });

  it('keeps the index in step with status changes and finds a target’s newest job', async () => {
    await createJob(pageJob('old', 'page-2', 1));
    await createJob(pageJob('new', 'page-2', 2));
    await updateJob('old', (j) => void (j.status = 'done'));
    expect((await listJobIndex()).map((e) => [e.id, e.status])).toEqual([
      ['old', 'done'],
      ['new', 'running'],
    ]);
    expect((await latestJobFor('page-2'))?.id).toBe('new');
    expect(await updateJob('missing', () => undefined)).toBeNull();
  });
});
