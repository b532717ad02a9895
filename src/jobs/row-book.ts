// A database job's rows in memory while it runs, saved chunk by chunk as each row moves, with the
// job's counts kept in step. The store is the truth; this is its working copy — except when the
// browser refused a save (storage full): then the book is kept in memory with what it could not save
// (paid answers included) and loaded from there when the run is resumed in this worker.
import { readRows, updateJob, writeRowChunk } from './job-store';
import { countRows, ROWS_PER_CHUNK, type DatabaseJob, type JobRow, type RowCounts } from '../shared/job';

/** Counts are saved to the job at most this often (every row change still saves its chunk). */
const COUNTS_SAVE_INTERVAL_MS = 250;

/** Books whose latest changes the browser could not save, by job id (a cache: gone with the worker). */
const unsaved = new Map<string, RowBook>();

export class RowBook {
  readonly jobId: string;
  rows: JobRow[];
  private readonly index = new Map<string, number>();
  private readonly dirty = new Set<number>();
  /** Rows per state, kept as rows move (a run asks often: counting 10,000 rows each time would not do). */
  private readonly tally: RowCounts;
  private countsTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(jobId: string, rows: JobRow[]) {
    this.jobId = jobId;
    this.rows = rows;
    rows.forEach((row, i) => this.index.set(row.id, i));
    this.tally = countRows(rows);
  }

  /** Rows per state, now. */
  get counts(): RowCounts {
    return { ...this.tally };
  }

  static async load(job: DatabaseJob): Promise<RowBook> {
    const kept = unsaved.get(job.id);
    if (kept) {
      // Save what could not be saved before; if there is still no room, the run pauses again.
      for (const chunk of kept.dirty) await kept.saveChunk(chunk);
      unsaved.delete(job.id);
      return kept;
    }
    return new RowBook(job.id, await readRows(job.id, job.chunks));
  }

  get chunks(): number {
    return Math.ceil(this.rows.length / ROWS_PER_CHUNK);
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  get(id: string): JobRow | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.rows[i];
  }

  /** Adds rows read (ignoring any already there) and saves them. */
  async add(rows: readonly JobRow[]): Promise<void> {
    const fresh = rows.filter((row) => !this.index.has(row.id));
    if (fresh.length === 0) return;
    const firstChunk = Math.floor(this.rows.length / ROWS_PER_CHUNK);
    for (const row of fresh) {
      this.index.set(row.id, this.rows.length);
      this.rows.push(row);
      this.tally.total++;
      this.tally[row.state]++;
    }
    // The job counts its chunks before they exist, so no chunk is ever stored that the job does not know of.
    await updateJob<DatabaseJob>(this.jobId, (j) => void (j.chunks = Math.max(j.chunks, this.chunks)));
    const lastChunk = Math.floor((this.rows.length - 1) / ROWS_PER_CHUNK);
    for (let chunk = firstChunk; chunk <= lastChunk; chunk++) await this.saveChunk(chunk);
  }

  /** Changes one row and saves its chunk; the job's counts follow shortly. */
  async update(id: string, change: (row: JobRow) => void): Promise<JobRow | undefined> {
    const i = this.index.get(id);
    if (i === undefined) return undefined;
    const row = this.rows[i]!;
    const was = row.state;
    change(row);
    this.tally[was]--;
    this.tally[row.state]++;
    await this.saveChunk(Math.floor(i / ROWS_PER_CHUNK));
    this.scheduleCounts();
    return row;
  }

  /** Saves the counts now (at the end of a phase). */
  async flushCounts(): Promise<void> {
    clearTimeout(this.countsTimer);
    this.countsTimer = undefined;
    await updateJob<DatabaseJob>(this.jobId, (j) => {
      j.counts = this.counts;
      j.chunks = this.chunks;
    });
  }

  private async saveChunk(chunk: number): Promise<void> {
    try {
      await writeRowChunk(this.jobId, chunk, this.rows.slice(chunk * ROWS_PER_CHUNK, (chunk + 1) * ROWS_PER_CHUNK));
      this.dirty.delete(chunk);
    } catch (error) {
      this.dirty.add(chunk);
      unsaved.set(this.jobId, this);
      throw error;
    }
  }

  private scheduleCounts(): void {
    this.countsTimer ??= setTimeout(() => {
      this.countsTimer = undefined;
      void this.flushCounts();
    }, COUNTS_SAVE_INTERVAL_MS);
  }
}
