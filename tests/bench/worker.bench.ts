// The worker's cold start, in real Chromium with the production build: how long from a stopped
// service worker (Chrome stops idle ones after 30 s) to the answer of the first message, beside the
// same message to a running worker.
import { afterAll, describe, expect, it } from 'vitest';
import { launch, openPopup, stopWorker, type World } from '../e2e/harness.ts';

const ROUNDS = 5;
let world: World | undefined;
afterAll(() => world?.close());

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('bench', () => {
  it('worker cold start', async () => {
    world = await launch();
    const popup = await openPopup(world);
    // One message as the popup sends it (the messaging library's envelope), timed in the popup.
    const ask = () =>
      popup.evaluate(async () => {
        const started = performance.now();
        const answer = await chrome.runtime.sendMessage({ id: 1, type: 'diagnostics', timestamp: Date.now() });
        if (!answer || 'err' in answer) throw new Error(`no answer: ${JSON.stringify(answer)}`);
        return performance.now() - started;
      });
    await ask();
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await stopWorker(world);
      cold.push(await ask());
      warm.push(await ask());
    }
    console.log(
      `bench worker cold start: ${Math.round(median(cold))} ms from a stopped worker to the first answer (median of ${ROUNDS}), ${median(warm).toFixed(1)} ms warm`,
    );
    expect(cold).toHaveLength(ROUNDS);
  });
});
