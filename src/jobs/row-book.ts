// A database job's rows in memory while it runs, saved chunk by chunk as each row moves, with the
// job's counts kept in step. The store is the truth; this is its working copy.
import { readRows, updateJob, writeRowChunk } from './job-store';
import { countRows, ROWS_PER_CHUNK, type DatabaseJob, type JobRow } from './types';

/** Counts are saved to the job at most this often (every row change still saves its chunk). */
const COUNTS_SAVE_INTERVAL_MS = 250;

export class RowBook {
  readonly jobId: string;
  rows: JobRow[];
  private readonly index = new Map<string, number>();
  private countsTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(jobId: string, rows: JobRow[]) {
    this.jobId = jobId;
    this.rows = rows;
    rows.forEach((row, i) => this.index.set(row.id, i));
  }

  static async load(job: DatabaseJob): Promise<RowBook> {
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

  /** Adds listed rows (ignoring any already there, from a listing that was cut short) and saves them. */
  async add(rows: readonly JobRow[]): Promise<void> {
    const fresh = rows.filter((row) => !this.index.has(row.id));
    if (fresh.length === 0) return;
    const firstChunk = Math.floor(this.rows.length / ROWS_PER_CHUNK);
    for (const row of fresh) {
      this.index.set(row.id, this.rows.length);
      this.rows.push(row);
    }
    const lastChunk = Math.floor((this.rows.length - 1) / ROWS_PER_CHUNK);
    for (let chunk = firstChunk; chunk <= lastChunk; chunk++) await this.saveChunk(chunk);
  }

  /** Changes one row and saves its chunk; the job's counts follow shortly. */
  async update(id: string, change: (row: JobRow) => void): Promise<JobRow | undefined> {
    const i = this.index.get(id);
    if (i === undefined) return undefined;
    const row = this.rows[i]!;
    change(row);
    await this.saveChunk(Math.floor(i / ROWS_PER_CHUNK));
    this.scheduleCounts();
    return row;
  }

  /** Saves the counts now (at the end of a phase). */
  async flushCounts(): Promise<void> {
    clearTimeout(this.countsTimer);
    this.countsTimer = undefined;
    await updateJob<DatabaseJob>(this.jobId, (j) => {
      j.counts = countRows(this.rows);
      j.chunks = this.chunks;
    });
  }

  private saveChunk(chunk: number): Promise<void> {
    return writeRowChunk(this.jobId, chunk, this.rows.slice(chunk * ROWS_PER_CHUNK, (chunk + 1) * ROWS_PER_CHUNK));
  }

  private scheduleCounts(): void {
    this.countsTimer ??= setTimeout(() => {
      this.countsTimer = undefined;
      void this.flushCounts();
    }, COUNTS_SAVE_INTERVAL_MS);
  }
}
