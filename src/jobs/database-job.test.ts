// A database run against the in-process Notion API and model server, with storage on WXT's fake
// browser: rows read just in time and written once, a person's edits never written over (before a
// write, and when a run carries on), writes that land late found rather than sent again, a full
// storage pausing the run with nothing lost, and Undo taking back only what still holds Inkling's value.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { MODEL_BOUND_LIMITS, runBase, startJobWorld, type JobWorld } from '../../tests/sandbox/job-world.ts';
import { retrieveDatabase } from '../notion/target';
import { clearAllStorage, isRegisteredKey } from '../storage';
import { checkSetup } from './database-setup';
import { PAGE_GUESS_CHARS } from './run-estimate';
import { runDatabaseJob } from './database-job';
import { undoDatabaseJob } from './database-undo';
import { JIT_PAGE_ROWS } from './database-rows';
import { createJob, readJob, readRows, updateJob } from './job-store';
import { databaseJob } from './start';
import { PACK_PROMPT_TOKENS } from './run-pace';
import { EMPTY_USAGE, type DatabaseJob } from '../shared/job';

let world: JobWorld;

beforeAll(async () => {
  world = await startJobWorld();
});
afterAll(() => world.close());
// Whatever a run stored, under a key the storage registry declares: Clear can then find all of it.
afterEach(async () => {
  const keys = Object.keys(await fakeBrowser.storage.local.get(null));
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((key) => !isRegisteredKey(key))).toEqual([]);
});
beforeEach(async () => {
  fakeBrowser.reset();
  await clearAllStorage();
  world.notion.reset();
  world.notion.clearRequestLog();
  world.models.reset();
});

const PROMPT = 'Translate the topic to Japanese';

function topics(count: number) {
  const rows = Array.from({ length: count }, (_, i) => ({
    Topic: `Topic ${String(i + 1).padStart(2, '0')}`,
    Generate: true,
  }));
  return world.notion.createDatabase({
    title: `Topics ${Date.now()}`,
    properties: { Topic: 'title', Generate: 'checkbox', Output: 'rich_text' },
    rows,
  });
}

async function newJob(databaseId: string): Promise<DatabaseJob> {
  const notion = world.client();
  const { properties } = await retrieveDatabase(notion, databaseId);
  const output = properties.find((p) => p.name === 'Output')!;
  const generate = properties.find((p) => p.name === 'Generate')!;
  const setup = {
    databaseId,
    template: PROMPT,
    outputs: [{ id: output.id }],
    selection: 'ticked' as const,
    checkboxId: generate.id,
    overwrite: false,
    untick: true,
  };
  const checked = await checkSetup(notion, setup);
  const now = Date.now();
  const base = {
    id: crypto.randomUUID(),
    connectionId: crypto.randomUUID(),
    targetId: checked.target.id,
    targetTitle: checked.target.title,
    targetUrl: checked.target.url,
    status: 'running' as const,
    createdAt: now,
    updatedAt: now,
    engine: { engine: 'compatible' as const, model: 'llama3.2:latest', baseUrl: '', limitPreset: 'local' },
    usage: EMPTY_USAGE,
  };
  return (await createJob(databaseJob(base, checked, setup))) as DatabaseJob;
}

const cells = (dataSourceId: string) =>
  world.notion.queryRows(dataSourceId).map((row) => {
    const props = row.properties as Record<
      string,
      { title?: Array<{ plain_text: string }>; rich_text?: Array<{ plain_text: string }>; checkbox?: boolean }
    >;
    return {
      id: row.id,
      topic: props.Topic!.title!.map((t) => t.plain_text).join(''),
      output: props.Output!.rich_text!.map((t) => t.plain_text).join(''),
      ticked: props.Generate!.checkbox!,
    };
  });

/** Writes Notion applied to each row (its request log keeps what it answered, even for a caller that left). */
function appliedWrites(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of world.notion.requestLog) {
    if (entry.route !== 'PATCH /v1/pages/:id' || entry.status !== 200) continue;
    const id = entry.path.split('/').pop()!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

const compact = (id: string) => id.replace(/-/g, '');
const writesTo = (id: string) => appliedWrites().get(id) ?? appliedWrites().get(compact(id)) ?? 0;

async function untilRows(
  job: DatabaseJob,
  test: (rows: Awaited<ReturnType<typeof readRows>>) => boolean,
): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const current = (await readJob(job.id)) as DatabaseJob;
    if (test(await readRows(job.id, current.chunks))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('rows never reached the expected state');
}

/** Carries a stopped run on as Resume does (status running again), with a fresh context. */
async function resume(job: DatabaseJob): Promise<DatabaseJob> {
  const running = (await updateJob<DatabaseJob>(job.id, (j) => void (j.status = 'running')))!;
  return runDatabaseJob(running, world.context());
}

describe('a database run', () => {
  it('writes every chosen row exactly once, reading the rows a small page at a time', async () => {
    const db = topics(60);
    const job = await newJob(db.databaseId);
    const done = await runDatabaseJob(job, world.context());
    expect(done.status).toBe('done');
    expect(done.counts).toMatchObject({ total: 60, written: 60, failed: 0, skipped: 0 });
    for (const row of cells(db.dataSourceId)) {
      expect(row.output).toBe(`「${row.topic}」(ja)`);
      expect(row.ticked).toBe(false);
      expect(writesTo(row.id)).toBe(1);
    }
    const queries = world.notion.requestLog.filter((e) => e.route === 'POST /v1/data_sources/:id/query');
    expect(queries.length).toBe(Math.ceil(60 / JIT_PAGE_ROWS));
    expect(queries.every((q) => (q.body as { page_size: number }).page_size === JIT_PAGE_ROWS)).toBe(true);
    // Nothing read one row at a time.
    expect(world.notion.requestLog.filter((e) => e.route === 'GET /v1/pages/:id')).toHaveLength(0);
    // The stored rows keep one copy of each answer (the write), not the prompt values any more.
    const stored = await readRows(job.id, done.chunks);
    expect(
      stored.every((row) => row.values === undefined && row.write !== undefined && row.baseline !== undefined),
    ).toBe(true);
  });

  it('after a Cancel, skips the rows a person filled meanwhile, and finds the writes that landed late instead of sending them again', async () => {
    const db = topics(30);
    const job = await newJob(db.databaseId);
    // Notion is slow to apply writes: the first ones wait, the answers of later rows pile up.
    const slow = world.hold('PATCH', /^\/v1\/pages\//);
    const cancel = new AbortController();
    const run = runDatabaseJob(job, world.context(cancel.signal)).catch((e: unknown) => e);
    await untilRows(
      job,
      (rows) =>
        rows.filter((r) => r.state === 'generated').length >= 8 &&
        rows.filter((r) => r.sentAt !== undefined).length >= 2,
    );
    const rows = await readRows(job.id, ((await readJob(job.id)) as DatabaseJob).chunks);
    const inFlight = rows.filter((r) => r.sentAt !== undefined).map((r) => r.id);
    const answered = rows.filter((r) => r.state === 'generated' && r.sentAt === undefined).map((r) => r.id);
    // A person fills two answered rows in Notion, then the user cancels.
    const filled = answered.slice(0, 2);
    for (const id of filled) world.notion.updateRow(id, { Output: 'Mine.' });
    cancel.abort();
    await run;
    // The writes that were in flight land now, after the run gave up on them.
    await slow.release();
    await updateJob<DatabaseJob>(job.id, (j) => void (j.status = 'cancelled'));
    const kept = (await readRows(job.id, ((await readJob(job.id)) as DatabaseJob).chunks)).filter(
      (r) => r.state === 'generated',
    );
    const callsBefore = world.models.calls.length;
    const done = await resume((await readJob(job.id)) as DatabaseJob);
    expect(done.status).toBe('done');
    for (const row of cells(db.dataSourceId)) {
      if (filled.includes(row.id)) {
        expect(row.output).toBe('Mine.');
        expect(writesTo(row.id)).toBe(0);
      } else {
        expect(row.output).toBe(`「${row.topic}」(ja)`);
        expect(writesTo(row.id), `${row.topic} written once`).toBe(1);
      }
    }
    const stored = await readRows(job.id, done.chunks);
    for (const id of filled)
      expect(stored.find((r) => r.id === id)).toMatchObject({
        state: 'skipped',
        reason: 'Filled in Notion since the run started (“Output”).',
      });
    for (const id of inFlight) expect(stored.find((r) => r.id === id)?.state).toBe('written');
    // Answers kept before the Cancel were written without asking the model again.
    expect(kept.length).toBeGreaterThanOrEqual(8);
    const later = world.models.calls.slice(callsBefore);
    for (const row of kept)
      expect(
        later.some((call) => call.prompt.includes(row.title)),
        row.title,
      ).toBe(false);
  });

  it('pauses with “storage full” when the browser has no room, loses nothing, and Resume finishes every row once', async () => {
    const db = topics(40);
    const job = await newJob(db.databaseId);
    // The browser runs out of room part-way: after 40 saves of rows' progress it refuses every one.
    const set = fakeBrowser.storage.local.set.bind(fakeBrowser.storage.local);
    let full = true;
    let rowSaves = 0;
    let refused = 0;
    const spy = vi
      .spyOn(fakeBrowser.storage.local, 'set')
      .mockImplementation(async (items: Record<string, unknown>) => {
        if (full && Object.keys(items).some((key) => key.startsWith('jobrows:')) && ++rowSaves > 40) {
          refused++;
          throw new Error('Resource::kQuotaBytes quota exceeded');
        }
        return set(items);
      });
    const paused = await runDatabaseJob(job, world.context());
    expect(refused).toBeGreaterThan(0);
    expect(paused.status).toBe('paused');
    expect(paused.problem?.kind).toBe('storage_full');
    expect(paused.problem?.message).toMatch(/^Storage full/);
    expect(paused.resumeAt).toBeUndefined();
    // Every write Notion applied belongs to a row whose answer was kept.
    for (const row of cells(db.dataSourceId)) expect(writesTo(row.id)).toBeLessThanOrEqual(1);
    full = false;
    const done = await resume(paused);
    spy.mockRestore();
    expect(done.status).toBe('done');
    for (const row of cells(db.dataSourceId)) {
      expect(row.output).toBe(`「${row.topic}」(ja)`);
      expect(writesTo(row.id)).toBe(1);
    }
    // Answers paid for before the pause were not asked for again: one call per row in all.
    expect(world.models.calls.filter((call) => call.status === 200 && !call.aborted)).toHaveLength(40);
  });
});

/** Gemini's free tier, about: packs of 15 rows keep Notion's three writes a second going. */
const modelBound = () => world.context(undefined, MODEL_BOUND_LIMITS);
const calls = () => world.models.calls.filter((c) => c.status === 200);

describe('a packed run (the engine’s requests a minute, not Notion, bound it)', () => {
  it('answers 15 rows a call, and writes each row its own value, once', async () => {
    const db = topics(60);
    const job = await newJob(db.databaseId);
    const done = await runDatabaseJob(job, modelBound());
    expect(done.counts).toMatchObject({ total: 60, written: 60, failed: 0 });
    for (const row of cells(db.dataSourceId)) {
      expect(row.output).toBe(`「${row.topic}」(ja)`);
      expect(writesTo(row.id)).toBe(1);
    }
    // Pages of 40 rows: 15 + 15 + 10, then 15 + 5.
    expect(calls().map((c) => (c.prompt.match(/<row id=/g) ?? []).length)).toEqual([15, 15, 10, 15, 5]);
    expect(done.usage.calls).toBe(5);
  });

  it('asks again alone for a row the packed answer left out, and for every row when the answer is not JSON', async () => {
    const db = topics(5);
    world.models.script({ match: '<row id="r5">', json: { r1: 'One', r2: 'Two', r3: 'Three' }, times: 1 });
    const done = await runDatabaseJob(await newJob(db.databaseId), modelBound());
    expect(done.counts).toMatchObject({ total: 5, written: 5 });
    const outputs = cells(db.dataSourceId).map((row) => row.output);
    expect(outputs).toEqual(['One', 'Two', 'Three', '「Topic 04」(ja)', '「Topic 05」(ja)']);
    expect(calls().map((c) => c.prompt.includes('<row id='))).toEqual([true, false, false]);

    world.models.reset();
    const again = topics(3);
    world.models.script({ match: '<row id="r3">', text: 'Here are the answers: …', times: 1 });
    const retried = await runDatabaseJob(await newJob(again.databaseId), modelBound());
    expect(retried.counts).toMatchObject({ total: 3, written: 3 });
    expect(cells(again.dataSourceId).map((row) => row.output)).toEqual([
      '「Topic 01」(ja)',
      '「Topic 02」(ja)',
      '「Topic 03」(ja)',
    ]);
    expect(calls()).toHaveLength(4);
  });

  it('packs fewer rows when each carries its page, keeping a pack within its prompt budget', async () => {
    const db = topics(30);
    const job = await updateJob<DatabaseJob>(
      (await newJob(db.databaseId)).id,
      (j) => void (j.template = 'Summarise {{page}}'),
    );
    const done = await runDatabaseJob(job!, modelBound());
    expect(done.counts).toMatchObject({ total: 30, written: 30 });
    // A page is counted as the estimate counts it (2,000 characters, ~500 tokens): 11 rows to 6,000 tokens.
    const packs = calls().map((c) => (c.prompt.match(/<row id=/g) ?? []).length);
    expect(Math.max(...packs)).toBeLessThanOrEqual(Math.floor(PACK_PROMPT_TOKENS / (PAGE_GUESS_CHARS / 4)));
    expect(packs.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('sends one row a call when the user turned packing off', async () => {
    const db = topics(4);
    const job = await updateJob<DatabaseJob>((await newJob(db.databaseId)).id, (j) => void (j.packRows = false));
    const done = await runDatabaseJob(job!, modelBound());
    expect(done.counts).toMatchObject({ total: 4, written: 4 });
    expect(calls()).toHaveLength(4);
    expect(calls().some((c) => c.prompt.includes('<row id='))).toBe(false);
  });
});

/** Leads with a Summary output and a Sources column; `mine` rows already hold a person's sources. */
async function leads(names: string[], mine: Record<string, string> = {}) {
  const db = world.notion.createDatabase({
    title: 'Leads',
    properties: { Company: 'title', Summary: 'rich_text', Sources: 'rich_text' },
    rows: names.map((Company) => ({ Company, ...(mine[Company] ? { Sources: mine[Company] } : {}) })),
  });
  const { properties } = await retrieveDatabase(world.client(), db.databaseId);
  const id = (name: string) => properties.find((p) => p.name === name)!.id;
  const setup = {
    databaseId: db.databaseId,
    template: 'What does {{Company}} do?',
    outputs: [{ id: id('Summary') }],
    selection: 'all' as const,
    overwrite: false,
    untick: false,
    webSearch: true,
    sourcesId: id('Sources'),
  };
  const checked = await checkSetup(world.client(), setup);
  const base = runBase(checked, 'paid');
  const job = (await createJob(
    databaseJob({ ...base, engine: { ...base.engine, engine: 'openai', model: 'gpt-5.5-mini' } }, checked, setup),
  )) as DatabaseJob;
  return { db, job };
}

/** Each row's Sources cell as Notion holds it: its linked titles and their addresses. */
const sourcesOf = (dataSourceId: string) =>
  Object.fromEntries(
    world.notion.queryRows(dataSourceId).map((row) => {
      const props = row.properties as Record<string, { title?: Array<{ plain_text: string }>; rich_text?: RichText[] }>;
      const links = (props.Sources!.rich_text ?? []).filter((t) => t.href).map((t) => [t.plain_text, t.href]);
      return [props.Company!.title!.map((t) => t.plain_text).join(''), links];
    }),
  );
type RichText = { plain_text: string; href: string | null };

describe('a run with web search', () => {
  it('asks one row a call with the search tool, and writes each answer with the pages it cites as links, once', async () => {
    const { db, job } = await leads(['Acme', 'Globex', 'Initech']);
    world.models.script({
      match: 'Acme',
      text: 'Acme makes anvils.',
      sources: [
        { url: 'https://acme.example/', title: 'Acme' },
        { url: 'https://wiki.example/Acme', title: 'Acme - Wiki' },
      ],
    });
    const done = await runDatabaseJob(job, world.context(undefined, MODEL_BOUND_LIMITS, 'openai'));
    expect(done.status).toBe('done');
    // Packing is off with web search, whatever the engine's limits: each row its own search.
    expect(world.models.calls).toHaveLength(3);
    expect(world.models.calls.every((c) => c.tools?.includes('web_search') && c.searches === 1)).toBe(true);
    expect(done.usage.searches).toBe(3);
    const sources = sourcesOf(db.dataSourceId);
    expect(sources.Acme).toEqual([
      ['Acme', 'https://acme.example/?utm_source=openai'],
      ['Acme - Wiki', 'https://wiki.example/Acme?utm_source=openai'],
    ]);
    // The other rows cite the sandbox's default pages for their own prompts.
    for (const name of ['Globex', 'Initech']) expect(sources[name]).toHaveLength(2);
    expect(sources.Globex).not.toEqual(sources.Initech);
    for (const row of world.notion.queryRows(db.dataSourceId)) expect(writesTo(row.id)).toBe(1);
  });

  it('never writes over Sources a person filled in, and Undo empties only the cells it wrote', async () => {
    const { db, job } = await leads(['Acme', 'Globex'], { Globex: 'my notes' });
    const done = await runDatabaseJob(job, world.context(undefined, undefined, 'openai'));
    expect(done.counts).toMatchObject({ written: 1, skipped: 1 });
    // (Made in the run's minute, the row counts as filled since the run started: Notion's times are to the minute.)
    expect((await readRows(job.id, done.chunks)).find((r) => r.title === 'Globex')?.reason).toMatch(/“Sources”/);
    expect(world.models.calls).toHaveLength(1);
    await undoDatabaseJob((await readJob(job.id)) as DatabaseJob, world.context(undefined, undefined, 'openai'));
    const after = sourcesOf(db.dataSourceId);
    expect(after.Acme).toEqual([]);
    const globex = world.notion
      .queryRows(db.dataSourceId)
      .find((r) => JSON.stringify(r.properties).includes('Globex'))!;
    expect(JSON.stringify(globex.properties)).toContain('my notes');
  });
});

describe('a run over a view', () => {
  it('writes exactly the rows the view shows, once each, and no other', async () => {
    const db = topics(12);
    const viewId = world.notion.createView({
      databaseId: db.databaseId,
      name: 'Even topics',
      filter: {
        or: ['02', '04', '06', '08', '10', '12'].map((n) => ({ property: 'Topic', title: { ends_with: n } })),
      },
    });
    const { properties } = await retrieveDatabase(world.client(), db.databaseId);
    const setup = {
      databaseId: db.databaseId,
      template: PROMPT,
      outputs: [{ id: properties.find((p) => p.name === 'Output')!.id }],
      selection: 'view' as const,
      viewId,
      overwrite: false,
      untick: false,
    };
    const checked = await checkSetup(world.client(), setup);
    const job = (await createJob(databaseJob(runBase(checked, 'local'), checked, setup))) as DatabaseJob;
    const done = await runDatabaseJob(job, world.context());
    expect(done.counts).toMatchObject({ total: 6, written: 6 });
    for (const row of cells(db.dataSourceId)) {
      const even = Number(row.topic.slice(-2)) % 2 === 0;
      expect(row.output).toBe(even ? `「${row.topic}」(ja)` : '');
      expect(writesTo(row.id)).toBe(even ? 1 : 0);
    }
  });
});

describe('Undo of a database run', () => {
  it('puts back every cell the run wrote, but leaves a cell a person corrected since, and only re-ticks rows the run unticked', async () => {
    const db = topics(10);
    world.notion.addRows(db.dataSourceId, [{ Topic: 'Filled before', Generate: true, Output: 'Already here.' }]);
    const job = await newJob(db.databaseId);
    const done = await runDatabaseJob(job, world.context());
    expect(done.counts).toMatchObject({ written: 10, skipped: 1 });
    const [corrected] = db.rowIds;
    world.notion.updateRow(corrected!, { Output: 'A better answer.' });
    const undone = await undoDatabaseJob(
      (await updateJob<DatabaseJob>(job.id, (j) => void (j.status = 'undoing')))!,
      world.context(),
    );
    expect(undone.status).toBe('undone');
    expect(undone.keptOnUndo).toBe(1);
    for (const row of cells(db.dataSourceId)) {
      if (row.id === corrected) expect(row).toMatchObject({ output: 'A better answer.', ticked: true });
      else if (row.topic === 'Filled before') expect(row).toMatchObject({ output: 'Already here.', ticked: true });
      else expect(row).toMatchObject({ output: '', ticked: true });
    }
    // The skipped row was never touched, by the run or by Undo.
    const skipped = cells(db.dataSourceId).find((row) => row.topic === 'Filled before')!;
    expect(writesTo(skipped.id)).toBe(0);
    const stored = await readRows(job.id, undone.chunks);
    expect(stored.find((r) => r.id === corrected)?.reason).toBe(
      'Left as it was: “Output” changed in Notion after the run.',
    );
  });
});
