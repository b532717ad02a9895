// Stand-ins for browser features this machine lacks. Chrome built-in AI has no on-device model here,
// so its Prompt API (`LanguageModel`) is replaced by one shaped as Chrome's: availability(), create()
// with a download monitor, promptStreaming(). Everything else under test is the real extension.

/** Source for a page or worker: defines globalThis.LanguageModel. */
export function languageModelStandIn(options: { initially: 'downloadable' | 'available'; answer?: string }): string {
  return `(() => {
    let state = ${JSON.stringify(options.initially)};
    const answer = ${JSON.stringify(options.answer ?? 'An answer written on this device.')};
    globalThis.__languageModelCalls = [];
    globalThis.LanguageModel = {
      async availability() { return state; },
      async create(opts = {}) {
        if (state !== 'available') {
          const monitor = new EventTarget();
          opts.monitor?.(monitor);
          for (const loaded of [0, 0.25, 0.5, 0.75, 1]) {
            await new Promise((r) => setTimeout(r, 60));
            monitor.dispatchEvent(Object.assign(new Event('downloadprogress'), { loaded }));
          }
          state = 'available';
        }
        return {
          promptStreaming(input, o = {}) {
            globalThis.__languageModelCalls.push({ input, constraint: o.responseConstraint ?? null });
            return new ReadableStream({ start(c) { for (const w of answer.split(/(?<= )/)) c.enqueue(w); c.close(); } });
          },
          destroy() {},
        };
      },
    };
  })();`;
}
