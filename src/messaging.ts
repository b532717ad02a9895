// The one protocol between Inkling's contexts. Every message name exists here and nowhere else.
// Panel and popup send intents; the background checks the sender, validates the data, and acts.
import { defineExtensionMessaging } from '@webext-core/messaging';
import { browser } from 'wxt/browser';
import type { Job, JobRowView, RowState } from './shared/job';
import type { ComparedModel, PreviewRow, RunEstimate } from './shared/run-preview';
import type { Target } from './shared/notion-shapes';
import type { ConnectionsDatabase } from './shared/settings';
import type { PanelResume } from './shared/connection';
import type { EngineChoice, EngineId } from './shared/engines';
import {
  type SettingsForm,
  type SaveSettingsResult,
  type ListModelsRequest,
  type StartPageRunRequest,
  type DatabaseRunSetup,
  type ListRowsRequest,
  type RowsView,
  type RowView,
  type PageChoice,
} from './shared/intents';
import { type Outcome } from './shared/outcome';

/** The saved engine, and whether it can search the web while it answers. */
export interface EngineAbilities {
  engine: EngineId;
  /** The saved engine's model. */
  model: string;
  webSearch: boolean;
  /** The saved engine's provider has a batch API ("Slow and cheap (batch)"). */
  batch: boolean;
  /** The other engines set up in Settings (a key saved, a server's address), each with its saved model: what Compare models offers. */
  others: EngineChoice[];
}

/** A setup for a request the screen can stop: `requestId` is what its Cancel names (stopRequest). */
export type StoppableSetup = DatabaseRunSetup & { requestId?: string };

export interface ProtocolMap {
  /** Popup → background: verify the form with Notion and the model provider, then save it. */
  saveSettings(form: SettingsForm): SaveSettingsResult;
  /** Popup → background: the models the provider reports, for the Model list. */
  listModels(request: ListModelsRequest): Outcome<string[]>;
  /** Popup → background: remove every setting and secret. */
  clearSettings(): void;
  /** Panel or popup → background: what does this Notion link point at? */
  resolveTarget(request: { url: string }): Outcome<Target>;
  /** Panel or popup → background: generate into a page. */
  startPageRun(request: StartPageRunRequest): Outcome<{ jobId: string; connectionId: string }>;
  /** Panel or popup → background: the saved engine, and what it can do beyond answering (the run options it offers). */
  engineAbilities(): EngineAbilities;
  /** Panel or popup → background: run a prompt over a database's rows. */
  startDatabaseRun(setup: DatabaseRunSetup): Outcome<{ jobId: string; connectionId: string }>;
  /** Panel or popup → background: answer the first few chosen rows and show them, writing nothing. */
  previewRows(setup: StoppableSetup): Outcome<PreviewRow[]>;
  /** Panel or popup → background: how many rows a run would do, and roughly what it would cost. */
  estimateRun(setup: StoppableSetup): Outcome<RunEstimate>;
  /** Panel or popup → background: Preview's rows answered by two engines side by side, writing nothing. */
  compareModels(request: StoppableSetup & { with: EngineChoice }): Outcome<ComparedModel[]>;
  /** Panel or popup → background: stop a Preview or an estimate still going (it answers `stopped`). */
  stopRequest(request: { requestId: string }): void;
  /** Panel or popup → background: one page of a database's rows, for the panel's table. */
  listRows(request: ListRowsRequest): Outcome<RowsView>;
  /** Panel or popup → background: add a row with this title (ticked, when there is a checkbox column). */
  addRow(request: { databaseId: string; title: string; checkboxId?: string }): Outcome<RowView>;
  /** Panel or popup → background: tick or untick a row's checkbox in Notion. */
  setRowTicked(request: { rowId: string; checkboxId: string; ticked: boolean }): Outcome<null>;
  /**
   * Panel or popup → background: a run's rows — those in a state (its failures, say), or those with
   * these ids (the rows the panel shows) — each with its answer by output property id once it has one.
   */
  jobRows(request: { jobId: string; state?: RowState; ids?: string[] }): Outcome<JobRowView[]>;
  /** Panel or popup → background: stop a run (what was written stays; Undo removes it). */
  cancelJob(request: { jobId: string }): void;
  /** Panel or popup → background: undo a run. */
  undoJob(request: { jobId: string }): Outcome<null>;
  /** Panel or popup → background: write a failed run's kept answer again (no new model call). */
  retryJob(request: { jobId: string }): Outcome<null>;
  /** Popup → background: pages the integration can reach, by title (to pick a parent page). */
  searchPages(request: { query: string }): Outcome<PageChoice[]>;
  /** Popup → background: create the connections database under a page, and use it. */
  createConnectionsDatabase(request: { parentPageId: string }): Outcome<ConnectionsDatabase>;
  /** Popup → background: rebuild the local list from the connections database. */
  importConnections(): Outcome<number>;
  /** Popup → background: remove a connection here, and move its row in Notion to the trash. */
  deleteConnection(request: { connectionId: string }): Outcome<null>;
  /** Popup → background: create the sample page or database under a page, connected and ready. */
  createSample(request: {
    kind: 'page' | 'database';
    parentPageId: string;
  }): Outcome<{ connectionId: string; target: Target }>;
  /** Popup → background: a diagnostics summary for Feedback (no key, no Notion content). */
  diagnostics(): string;
  /**
   * Popup → background: resume a connection in the panel of a tab of this window that shows its page
   * or database (that tab comes to the front); false when no tab does.
   */
  resumeInTab(request: { connectionId: string }): Outcome<boolean>;
  /** Background → content script: the keyboard shortcut was pressed. */
  togglePanel(): void;
  /** Background → content script: open the panel on this connection's saved run. */
  resumeInPanel(resume: PanelResume): void;
}

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>();

// ---- The state port: the panel and the popup watch runs through it (the panel cannot read
// storage). The background sends every change of a watched target's latest job, and streamed text.

export const STATE_PORT = 'inkling-state';

export type StatePortRequest = { type: 'watch'; targetId: string } | { type: 'unwatch'; targetId: string };

export type StatePortMessage =
  { type: 'job'; targetId: string; job: Job | null } | { type: 'text'; jobId: string; text: string };

/** Wait before reconnecting a port the worker dropped (it was stopped); connecting wakes it again. */
const PORT_RECONNECT_MS = 500;

/**
 * Opens the state port (panel or popup side). When Chrome stops the service worker the port drops;
 * it reconnects — which starts the worker again, so a run carries on at once — and re-sends its watches.
 */
export function connectStatePort(listener: (message: StatePortMessage) => void): {
  send(request: StatePortRequest): void;
  close(): void;
} {
  const watches = new Map<string, StatePortRequest>();
  let closed = false;
  let port: ReturnType<typeof browser.runtime.connect>;
  const open = () => {
    port = browser.runtime.connect({ name: STATE_PORT });
    port.onMessage.addListener((message) => listener(message as StatePortMessage));
    port.onDisconnect.addListener(() => {
      if (!closed) setTimeout(open, PORT_RECONNECT_MS);
    });
    for (const request of watches.values()) port.postMessage(request);
  };
  open();
  return {
    send: (request) => {
      if (request.type === 'watch') watches.set(request.targetId, request);
      else watches.delete(request.targetId);
      port.postMessage(request);
    },
    close: () => {
      closed = true;
      port.disconnect();
    },
  };
}
