// The state port's background side: each connected panel or popup watches targets; every change to
// a watched target's latest job is sent to it, and streamed text as it arrives.
import * as v from 'valibot';
import { browser, type Browser } from 'wxt/browser';
import { latestJobFor } from '../jobs/job-store';
import { onJobText } from '../jobs/runner';
import { jobView, type Job } from '../shared/job';
import { STATE_PORT, type StatePortMessage, type StatePortRequest } from '../messaging';
import { senderKind } from './senders';

interface Watcher {
  port: Browser.runtime.Port;
  targets: Set<string>;
}

const watchers = new Set<Watcher>();

/** What a screen may send on the port: watch or unwatch one target (a Notion id). */
const StatePortRequestSchema = v.object({
  type: v.picklist(['watch', 'unwatch']),
  targetId: v.pipe(v.string(), v.uuid()),
});

function send(watcher: Watcher, message: StatePortMessage): void {
  try {
    // oxlint-disable-next-line unicorn/require-post-message-target-origin -- runtime.Port has no origin
    watcher.port.postMessage(message);
  } catch {
    watchers.delete(watcher);
  }
}

export function registerStatePort(): void {
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== STATE_PORT) return;
    if (!port.sender || !senderKind(port.sender)) {
      port.disconnect();
      return;
    }
    const watcher: Watcher = { port, targets: new Set() };
    watchers.add(watcher);
    port.onDisconnect.addListener(() => watchers.delete(watcher));
    port.onMessage.addListener((raw) => {
      const parsed = v.safeParse(StatePortRequestSchema, raw);
      if (!parsed.success) return;
      const request: StatePortRequest = parsed.output;
      if (request.type === 'unwatch') {
        watcher.targets.delete(request.targetId);
        return;
      }
      watcher.targets.add(request.targetId);
      void latestJobFor(request.targetId).then((job) =>
        send(watcher, { type: 'job', targetId: request.targetId, job: job && jobView(job) }),
      );
    });
  });

  // A job changed in storage (by this worker): tell whoever watches its target.
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local') return;
    for (const [key, change] of Object.entries(changes)) {
      if (!key.startsWith('job:') || !change.newValue) continue;
      const job = change.newValue as Job;
      for (const watcher of watchers)
        if (watcher.targets.has(job.targetId))
          send(watcher, { type: 'job', targetId: job.targetId, job: jobView(job) });
    }
  });

  onJobText((job, text) => {
    for (const watcher of watchers)
      if (watcher.targets.has(job.targetId)) send(watcher, { type: 'text', jobId: job.id, text });
  });
}
