// The keys of the storage registry (storage.ts), with nothing else in this file so that anything —
// the registry, and the E2E suite that checks what a real browser holds — can know them.

/** Items under fixed keys in storage.local. */
export const FIXED_KEYS = {
  settings: 'settings',
  jobIndex: 'jobIndex',
  connections: 'connections',
  usage: 'usage',
  mirror: 'mirror',
  keepUp: 'keepUp',
} as const;

/**
 * Families of keys with one item each per run (jobs/job-store.ts: the job, and its rows in chunks) or
 * per connection (jobs/row-marks.ts: what Inkling wrote in its rows).
 */
export const KEY_FAMILIES = {
  job: /^job:[0-9a-f-]+$/,
  jobRows: /^jobrows:[0-9a-f-]+:\d+$/,
  rowMarks: /^rowmarks:[0-9a-f-]+$/,
} as const;

const fixed: readonly string[] = Object.values(FIXED_KEYS);

/**
 * Whether a storage.local key is one the registry declares: a fixed item (or WXT's version record of
 * it, `key$`) or one of the per-run families. Nothing else is ever written (tests hold the code to it).
 */
export function isRegisteredKey(key: string): boolean {
  return (
    fixed.includes(key) ||
    fixed.includes(key.replace(/\$$/, '')) ||
    Object.values(KEY_FAMILIES).some((family) => family.test(key))
  );
}
