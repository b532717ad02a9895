// What the screens ask the background for: the payloads of the protocol (src/messaging.ts), which the
// domains take as their input. Shapes only.
import { type EngineChoice, type EngineId } from './engines';
import { type Settings } from './settings';
import { type RowSelection } from './notion-shapes';

/** What the Settings form sends. An absent secret means "keep the saved one"; "" means none. */
export interface SettingsForm {
  engine: EngineId;
  notionToken?: string;
  geminiKey?: string;
  openaiKey?: string;
  compatibleKey?: string;
  baseUrl: string;
  model: string;
  /** A LIMIT_PRESETS id for the engine. */
  limitPreset: string;
  /** Monthly budget in USD as typed; "" for none. */
  monthlyBudget: string;
  connectionsDatabaseUrl: string;
}

export type SettingsField = Exclude<keyof SettingsForm, 'engine' | 'limitPreset'>;

/** Which models can this engine use? Unsaved key and address from the form, or the saved ones. */
export interface ListModelsRequest {
  engine: EngineId;
  apiKey?: string;
  baseUrl?: string;
}

export type SaveSettingsResult =
  { ok: true; settings: Settings; notes: string[] } | { ok: false; errors: Partial<Record<SettingsField, string>> };

export interface StartPageRunRequest {
  pageId: string;
  prompt: string;
  useContext: boolean;
  mode: 'append' | 'replace';
  /** Reuse this connection (Create tab, or a resumed one); otherwise the page's own, or a new one. */
  connectionId?: string;
  /** The connection's name (Create tab); defaults to the page title. */
  connectionName?: string;
  /** The user chose to go past the monthly budget for this run. */
  overBudgetOk?: boolean;
  /** The user let the answer add images from any address (else only addresses in the prompt or the page). */
  allowImages?: boolean;
  /** Let the model search the web; the pages it cites follow the answer as a "Sources" list. */
  webSearch?: boolean;
}

export interface DatabaseRunSetup {
  databaseId: string;
  template: string;
  /**
   * Output columns by id; select and multi-select may be allowed new options. An output with its own
   * prompt is answered by a call of its own, which may use another output's answer ({{Summary}}).
   */
  outputs: Array<{ id: string; allowNewOptions?: boolean; prompt?: string }>;
  selection: RowSelection;
  /** The checkbox column that picks rows (and is unticked after writing). */
  checkboxId?: string;
  overwrite: boolean;
  untick: boolean;
  connectionId?: string;
  connectionName?: string;
  /** The user chose to go past the monthly budget for this run. */
  overBudgetOk?: boolean;
  /** How many rows the estimate shown before the run counted (for progress until every row is read). */
  expectedRows?: number;
  /** The engine and model this run uses, chosen in Compare models (else Settings’ own). */
  engine?: EngineChoice;
  /** Learn from corrections: rows whose answer a person edited after Inkling wrote it go with each prompt as examples. */
  learn?: boolean;
  /** "Slow and cheap (batch)": the rows go as one batch to the provider's batch API, at about half the price. */
  batch?: boolean;
  /** Keep up to date: the connection is refreshed on a timer while the browser is open (background/keep-up.ts). */
  keepUpToDate?: boolean;
  /** Several rows to a model call when the engine's requests a minute bound the run (absent: on). */
  packRows?: boolean;
  /** Let the model search the web for each row (one row a call, so each answer keeps its own sources). */
  webSearch?: boolean;
  /** A text column that gets each row's sources as links (with web search only). */
  sourcesId?: string;
  /** The view whose rows "view" runs over (the `?v=` of the database's link). */
  viewId?: string;
}

export interface ListRowsRequest {
  dataSourceId: string;
  cursor?: string;
  /** Column ids whose values the table shows. */
  columns: string[];
  checkboxId?: string;
}

export interface RowView {
  id: string;
  title: string;
  ticked?: boolean;
  cells: Record<string, string>;
}

export interface RowsView {
  rows: RowView[];
  nextCursor: string | null;
}

export interface PageChoice {
  id: string;
  title: string;
  url: string;
}
