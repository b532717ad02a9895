// What a request to the background answers: a value, or the Problem that stopped it.
import type { Problem } from './problem';

export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: Problem };
