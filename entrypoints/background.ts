// Wiring only: every listener is attached synchronously, before any await, so an event that woke
// the worker is not missed.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { handleCommand } from '../src/background/commands';
import { registerMessageHandlers } from '../src/background/handlers';
import { lockStorageToTrustedContexts } from '../src/background/storage-lock';

export default defineBackground(() => {
  void lockStorageToTrustedContexts();
  registerMessageHandlers();
  browser.commands.onCommand.addListener((command, tab) => void handleCommand(command, tab));
});
