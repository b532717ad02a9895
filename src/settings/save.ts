// Save in Settings: verify every credential with the service it belongs to, and save only what works.
import type { Client } from '@notionhq/client';
import { InklingError, type Problem } from '../shared/problem';
import { DEFAULT_MODELS, ENGINE_KEY, SECRET_NAMES, type EngineId } from '../shared/engines';
import { createEngine, type EngineConfig } from '../llm/factory';
import { limitsFor } from '../shared/limit-presets';
import type { Engine } from '../llm/types';
import type { SaveSettingsResult, SettingsField, SettingsForm } from '../shared/intents';
import { createNotionClient } from '../notion/client';
import { toNotionProblem } from '../notion/errors';
import { retrieveDatabase } from '../notion/target';
import { parseNotionLink } from '../shared/notion-url';
import { clearAllStorage, maskSecret, readSecrets, readSettings, settingsItem, writeSecrets } from '../storage';
import { type ConnectionsDatabase, type Secrets, type Settings } from '../shared/settings';

export interface SaveDeps {
  notionClient(token: string): Client;
  engine(config: EngineConfig): Engine;
  /**
   * The connections database's side of Save (the connections domain, wired by the background):
   * `ready` adds the columns Inkling keeps to a chosen database and names those it added; `adopted`
   * runs once a new one is saved (every connection so far goes there too). Absent: neither happens.
   */
  connectionsDatabase?: {
    ready(client: Client, dataSourceId: string): Promise<string[]>;
    adopted(): Promise<void>;
  };
}

const defaultDeps: SaveDeps = { notionClient: (token) => createNotionClient(token), engine: createEngine };

/** "http://localhost:11434/v1/" → "http://localhost:11434/v1"; null when it is not an http(s) URL. */
export function normaliseBaseUrl(input: string): string | null {
  try {
    const url = new URL(input.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.href.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

/**
 * The saved key an engine may send to `address`. An OpenAI-compatible server's key belongs to the
 * address it was saved with: a new address gets no key until one is entered for it (so a key is never
 * sent to whatever is being typed, or to a server the user only meant to try).
 */
export function keyForAddress(engine: EngineId, savedKey: string, savedAddress: string, address: string): string {
  return engine !== 'compatible' || address === savedAddress ? savedKey : '';
}

/** The secrets after this form: absent keeps, "" removes, anything else replaces. */
function mergeSecrets(saved: Secrets, form: SettingsForm): Secrets {
  const next: Secrets = { ...saved };
  for (const name of SECRET_NAMES) {
    const value = form[name];
    if (value === undefined) continue;
    if (value.trim() === '') delete next[name];
    else next[name] = value.trim();
  }
  return next;
}

async function verifyNotion(client: Client): Promise<string> {
  const me = await client.users.me({});
  const bot = me.type === 'bot' ? me.bot : undefined;
  return (bot && 'workspace_name' in bot ? bot.workspace_name : null) ?? me.name ?? 'your workspace';
}

function notionTokenMessage(problem: Problem): string {
  if (problem.kind === 'unauthorized') {
    return 'This secret was not accepted by Notion. Copy the Internal Integration Secret again from notion.so/profile/integrations.';
  }
  return problem.message;
}

function connectionsDatabaseMessage(problem: Problem): string {
  switch (problem.kind) {
    case 'not_shared':
      return 'Inkling can’t see this database. Open it in Notion, click ••• → Connections, and add your integration.';
    case 'wrong_kind':
      return 'This link is a page, not a database. Open the connections database itself and copy its link.';
    default:
      return problem.message;
  }
}

export async function saveSettings(form: SettingsForm, deps: SaveDeps = defaultDeps): Promise<SaveSettingsResult> {
  const [saved, savedSecrets] = await Promise.all([readSettings(), readSecrets()]);
  const secrets = mergeSecrets(savedSecrets, form);
  const newAddress = (form.baseUrl.trim() && normaliseBaseUrl(form.baseUrl)) || '';
  // A kept (not re-entered) key saved for another address is not sent to this one, nor kept for it.
  const droppedKeyFor =
    form.compatibleKey === undefined &&
    secrets.compatibleKey &&
    keyForAddress('compatible', secrets.compatibleKey, saved.baseUrl, newAddress) === ''
      ? saved.baseUrl
      : undefined;
  if (droppedKeyFor !== undefined) delete secrets.compatibleKey;
  const errors: Partial<Record<SettingsField, string>> = {};
  const notes: string[] = [];
  const next: Settings = { ...saved, engine: form.engine, models: { ...saved.models } };

  // Base URL (OpenAI-compatible only).
  if (form.baseUrl.trim()) {
    const baseUrl = normaliseBaseUrl(form.baseUrl);
    if (baseUrl) next.baseUrl = baseUrl;
    else errors.baseUrl = 'Enter the server’s full address, such as http://localhost:11434/v1.';
  } else {
    next.baseUrl = '';
    if (form.engine === 'compatible')
      errors.baseUrl = 'Enter the server’s Base URL, such as http://localhost:11434/v1 for Ollama.';
  }
  const budget = form.monthlyBudget.trim().replace(/^\$/, '');
  if (!budget) next.monthlyBudgetUsd = null;
  else if (/^\d+(\.\d{1,2})?$/.test(budget) && Number(budget) > 0) next.monthlyBudgetUsd = Number(budget);
  else errors.monthlyBudget = 'Enter an amount in US dollars, such as 5 or 12.50, or leave it empty for no budget.';

  const model = form.model.trim();
  if (model) next.models[form.engine] = model;
  else delete next.models[form.engine];
  next.limitPresets = { ...saved.limitPresets, [form.engine]: limitsFor(form.engine, form.limitPreset).id };

  // Notion secret → workspace name.
  const token = secrets.notionToken;
  const notion = token ? deps.notionClient(token) : undefined;
  next.workspaceName = null;
  const notionCheck = notion
    ? verifyNotion(notion).then(
        (name) => void (next.workspaceName = name),
        (error) => void (errors.notionToken = notionTokenMessage(toNotionProblem(error))),
      )
    : Promise.resolve();

  // Connections database: a database, shared with the integration.
  const dbUrl = form.connectionsDatabaseUrl.trim();
  next.connectionsDatabase = null;
  let databaseCheck: Promise<void> = Promise.resolve();
  if (dbUrl) {
    const link = parseNotionLink(dbUrl);
    if (!link)
      errors.connectionsDatabaseUrl = 'This is not a Notion link. Open the database in Notion and copy its link.';
    else if (!notion) errors.connectionsDatabaseUrl = 'Add your Notion internal integration secret first.';
    else {
      databaseCheck = retrieveDatabase(notion, link.id)
        .then(async (db) => {
          // A database the user made or duplicated: add the columns Inkling keeps, if it lacks them.
          const added = (await deps.connectionsDatabase?.ready(notion, db.dataSourceId)) ?? [];
          if (added.length > 0) notes.push(`Added the columns Inkling keeps to “${db.title}”: ${added.join(', ')}.`);
          next.connectionsDatabase = { url: dbUrl, databaseId: db.id, dataSourceId: db.dataSourceId, title: db.title };
        })
        .catch(
          (error: unknown) =>
            void (errors.connectionsDatabaseUrl = connectionsDatabaseMessage(toNotionProblem(error, 'database'))),
        );
    }
  }

  // The model: a cheap call (the provider's model list) proves the key and the address.
  const engineCheck = errors.baseUrl ? Promise.resolve() : verifyEngine(next, secrets, form, deps, errors, notes);

  await Promise.all([notionCheck, databaseCheck, engineCheck]);
  if (droppedKeyFor !== undefined && errors.compatibleKey) {
    errors.compatibleKey = `This server wants an API key. Enter it again: Inkling does not send the key saved for ${droppedKeyFor} to a new address.`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (droppedKeyFor !== undefined)
    notes.push(
      `The API key saved for ${droppedKeyFor} was removed: Inkling sends a key only to the address it was saved for. Enter one if ${newAddress} needs it.`,
    );

  next.secretHints = Object.fromEntries(
    SECRET_NAMES.flatMap((name) => (secrets[name] ? [[name, maskSecret(secrets[name])]] : [])),
  );
  next.savedAt = Date.now();
  await Promise.all([settingsItem.setValue(next), writeSecrets(secrets)]);
  // (Set inside the checks above, which TypeScript cannot follow.)
  const chosen = next.connectionsDatabase as ConnectionsDatabase | null;
  if (chosen && chosen.databaseId !== saved.connectionsDatabase?.databaseId) {
    await deps.connectionsDatabase?.adopted();
  }
  if (!token) notes.push('Add your Notion internal integration secret to start writing into Notion.');
  return { ok: true, settings: next, notes };
}

async function verifyEngine(
  next: Settings,
  secrets: Secrets,
  form: SettingsForm,
  deps: SaveDeps,
  errors: Partial<Record<SettingsField, string>>,
  notes: string[],
): Promise<void> {
  const engineId = form.engine;
  const keyField = ENGINE_KEY[engineId];
  const apiKey = keyField ? (secrets[keyField] ?? '') : '';
  if ((engineId === 'gemini' || engineId === 'openai') && !apiKey) {
    notes.push(`Add your ${engineId === 'gemini' ? 'Gemini' : 'OpenAI'} API key to generate.`);
    return;
  }
  const model = next.models[engineId] || DEFAULT_MODELS[engineId];
  try {
    const engine = deps.engine({ engine: engineId, model, apiKey, baseUrl: next.baseUrl });
    const models = await engine.listModels();
    if (models.length > 0 && !models.includes(model)) {
      notes.push(`“${model}” is not in the list this provider reports; Inkling will use it as typed.`);
    }
  } catch (error) {
    const problem = error instanceof InklingError ? error.problem : { kind: 'unavailable', message: String(error) };
    const field: SettingsField =
      problem.kind === 'bad_key' || problem.kind === 'no_permission' || problem.kind === 'no_key'
        ? (keyField ?? 'model')
        : engineId === 'compatible'
          ? 'baseUrl'
          : problem.kind === 'model_not_found'
            ? 'model'
            : (keyField ?? 'model');
    errors[field] = problem.message;
  }
}

/** Clear: every setting and secret, and everything else Inkling stored (runs and their rows, connections, usage). */
export async function clearEverything(): Promise<void> {
  await clearAllStorage();
}
