// The worker's start: every listener is attached synchronously, before any await, so an event that
// woke the worker is not missed; then whatever was running carries on.
import { browser } from 'wxt/browser';
import { MIRROR_ALARM, requestMirrorFlush } from '../connections/mirror';
import { RESUME_ALARM, resumeJobs, watchRemovedJobs } from '../jobs/runner';
import { handleCommand } from './commands';
import { KEEP_UP_ALARM, keepUp, scheduleKeepUp } from './keep-up';
import { registerMessageHandlers } from './handlers';
import { registerStatePort } from './state-port';
import { lockStorageToTrustedContexts } from './storage-lock';

export function startBackground(): void {
  void lockStorageToTrustedContexts();
  registerMessageHandlers();
  registerStatePort();
  watchRemovedJobs();
  browser.commands.onCommand.addListener((command, tab) => void handleCommand(command, tab));
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RESUME_ALARM) void resumeJobs();
    if (alarm.name === MIRROR_ALARM) requestMirrorFlush();
    if (alarm.name === KEEP_UP_ALARM) void keepUp();
  });
  // Chrome starts the worker when the browser starts, so a run cut off by closing it carries on.
  browser.runtime.onStartup.addListener(() => void resumeJobs());
  // Whatever was running when the worker last stopped carries on now, and waiting changes go to Notion.
  void resumeJobs();
  requestMirrorFlush();
  void scheduleKeepUp();
}
