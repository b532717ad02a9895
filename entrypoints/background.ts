// Wiring only: every listener is attached synchronously, before any await, so an event that woke
// the worker is not missed.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { handleCommand } from '../src/background/commands';
import { registerMessageHandlers } from '../src/background/handlers';
import { registerStatePort } from '../src/background/state-port';
import { lockStorageToTrustedContexts } from '../src/background/storage-lock';
import { MIRROR_ALARM, requestMirrorFlush } from '../src/connections/mirror';
import { RESUME_ALARM, resumeJobs, watchRemovedJobs } from '../src/jobs/runner';

export default defineBackground(() => {
  void lockStorageToTrustedContexts();
  registerMessageHandlers();
  registerStatePort();
  watchRemovedJobs();
  browser.commands.onCommand.addListener((command, tab) => void handleCommand(command, tab));
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RESUME_ALARM) void resumeJobs();
    if (alarm.name === MIRROR_ALARM) requestMirrorFlush();
  });
  // Chrome starts the worker when the browser starts, so a run cut off by closing it carries on.
  browser.runtime.onStartup.addListener(() => void resumeJobs());
  // Whatever was running when the worker last stopped carries on now, and waiting changes go to Notion.
  void resumeJobs();
  requestMirrorFlush();
});
