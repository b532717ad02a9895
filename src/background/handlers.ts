// The background's message handlers: each checks its sender and validates its data, then acts.
import * as v from 'valibot';
import { cancelJob, retryJob, undoJob } from '../jobs/runner';
import { startPageRun } from '../jobs/start';
import { toModelProblem } from '../llm/errors';
import { createEngine, engineConfigFrom } from '../llm/factory';
import type { ListModelsRequest } from '../shared/intents';
import type { Outcome } from '../shared/outcome';
import { notionProblem, toNotionProblem } from '../notion/errors';
import { resolveTarget } from '../notion/target';
import { type Target } from '../shared/notion-shapes';
import { parseNotionLink } from '../shared/notion-url';
import { clearEverything, keyForAddress, normaliseBaseUrl, saveSettings } from '../settings/save';
import { batchesAvailable, ENGINE_IDS, searchesTheWeb } from '../shared/engines';
import { readSecrets, readSettings } from '../storage';
import { registerConnectionHandlers } from './connection-handlers';
import { registerDatabaseHandlers } from './database-handlers';
import { handle, outcomeOf, outcomeValue, PANEL_OR_POPUP } from './handle';
import { notionClient, saveDeps } from './services';

const SettingsFormSchema = v.object({
  engine: v.picklist(ENGINE_IDS),
  notionToken: v.optional(v.string()),
  geminiKey: v.optional(v.string()),
  openaiKey: v.optional(v.string()),
  compatibleKey: v.optional(v.string()),
  baseUrl: v.string(),
  model: v.string(),
  limitPreset: v.string(),
  monthlyBudget: v.pipe(v.string(), v.maxLength(20)),
  connectionsDatabaseUrl: v.string(),
});

const ListModelsSchema = v.object({
  engine: v.picklist(ENGINE_IDS),
  apiKey: v.optional(v.string()),
  baseUrl: v.optional(v.string()),
});

const UrlRequestSchema = v.object({ url: v.pipe(v.string(), v.maxLength(4_000)) });

async function resolveUrl(url: string): Promise<Outcome<Target>> {
  const link = parseNotionLink(url);
  if (!link)
    return { ok: false, problem: notionProblem('validation', 'This is not a link to a Notion page or database.') };
  return outcomeValue(
    async () => resolveTarget(await notionClient(), link),
    (error) => toNotionProblem(error),
  );
}

async function listModels(request: ListModelsRequest): Promise<Outcome<string[]>> {
  const [settings, secrets] = await Promise.all([readSettings(), readSecrets()]);
  const saved = engineConfigFrom({ ...settings, engine: request.engine }, secrets);
  const baseUrl = (request.baseUrl?.trim() && normaliseBaseUrl(request.baseUrl)) || saved.baseUrl;
  // The saved key goes only to the address it was saved for: never to an address being typed.
  const savedKey = keyForAddress(request.engine, saved.apiKey, settings.baseUrl, baseUrl);
  const config = { ...saved, apiKey: request.apiKey?.trim() || savedKey, baseUrl };
  return outcomeValue(
    () => createEngine(config).listModels(),
    (error) => toModelProblem(error, { engine: request.engine }),
  );
}

const JobRequestSchema = v.object({ jobId: v.pipe(v.string(), v.uuid()) });

const StartPageRunSchema = v.object({
  pageId: v.pipe(v.string(), v.uuid()),
  prompt: v.pipe(v.string(), v.maxLength(100_000)),
  useContext: v.boolean(),
  mode: v.picklist(['append', 'replace']),
  connectionId: v.optional(v.pipe(v.string(), v.uuid())),
  connectionName: v.optional(v.pipe(v.string(), v.maxLength(200))),
  overBudgetOk: v.optional(v.boolean()),
  allowImages: v.optional(v.boolean()),
  webSearch: v.optional(v.boolean()),
});

export function registerMessageHandlers(): void {
  handle('saveSettings', ['extension-page'], SettingsFormSchema, (form) => saveSettings(form, saveDeps));
  handle('listModels', ['extension-page'], ListModelsSchema, (request) => listModels(request));
  handle('clearSettings', ['extension-page'], v.optional(v.undefined()), () => clearEverything());
  handle('resolveTarget', PANEL_OR_POPUP, UrlRequestSchema, ({ url }) => resolveUrl(url));
  handle('startPageRun', PANEL_OR_POPUP, StartPageRunSchema, (request) => startPageRun(request));
  handle('engineAbilities', PANEL_OR_POPUP, v.optional(v.undefined()), async () => {
    const [settings, secrets] = await Promise.all([readSettings(), readSecrets()]);
    const saved = engineConfigFrom(settings, secrets);
    // Only which engines are set up, and their models, leave the background: never a key.
    const others = ENGINE_IDS.filter((id) => id !== saved.engine && id !== 'chrome')
      .map((id) => engineConfigFrom(settings, secrets, { engine: id, model: '' }))
      .filter((config) => (config.engine === 'compatible' ? config.baseUrl !== '' : config.apiKey !== ''))
      .map((config) => ({ engine: config.engine, model: config.model }));
    return {
      engine: saved.engine,
      model: saved.model,
      webSearch: searchesTheWeb(saved.engine),
      batch: batchesAvailable(saved.engine),
      others,
    };
  });
  handle('cancelJob', PANEL_OR_POPUP, JobRequestSchema, ({ jobId }) => cancelJob(jobId));
  handle('undoJob', PANEL_OR_POPUP, JobRequestSchema, ({ jobId }) => outcomeOf(() => undoJob(jobId)));
  handle('retryJob', PANEL_OR_POPUP, JobRequestSchema, ({ jobId }) => outcomeOf(() => retryJob(jobId)));
  registerDatabaseHandlers();
  registerConnectionHandlers();
}
