// Settings: the Notion secret, the AI engine and its key or server, the model, the connections
// database. "Save" has the background verify each with its service before anything is stored.
// Over 300 lines as one component on purpose: its fields depend on each other (the engine picks the
// key field, the model list and the speed preset), so the form's state stays in one place. Its parts
// are settings-fields.tsx.
import { useEffect, useState } from 'preact/hooks';
import {
  DEFAULT_MODELS,
  ENGINE_OPTION_LABELS,
  KEY_PAGES,
  ENGINE_IDS,
  ENGINE_KEY,
  type EngineId,
  type SecretName,
} from '../../shared/engines';
import { chromeAiAvailability, type Availability } from '../../shared/chrome-ai';
import { LIMIT_PRESETS, limitsFor } from '../../shared/limit-presets';
import { sendMessage } from '../../messaging';
import { type SettingsField, type SettingsForm } from '../../shared/intents';
import { readSettings, settingsItem } from '../../storage';
import { Field } from '../field';
import { useStorageItem } from '../use-storage-item';
import { ChromeAiSetup } from './chrome-ai-setup';
import { PagePicker } from './page-picker';
import { useModelList } from './use-model-list';
import { draftFrom, engineHint, modelHint, requestHostPermission, SecretField, type Draft } from './settings-fields';

type Status =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; text: string } | { kind: 'failed'; text: string };

export function SettingsTab() {
  const settings = useStorageItem(settingsItem, readSettings);
  const [draft, setDraft] = useState<Draft | undefined>(undefined);
  const [errors, setErrors] = useState<Partial<Record<SettingsField, string>>>({});
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [confirmClear, setConfirmClear] = useState(false);
  const [picking, setPicking] = useState(false);
  // Unknown until checked: the form waits for it, since it decides the engine a fresh profile starts on.
  const [chromeAi, setChromeAi] = useState<Availability | undefined>(undefined);

  useEffect(() => void chromeAiAvailability().then(setChromeAi), []);
  // The form starts from what is saved, and starts over when storage changes underneath (e.g. Clear).
  useEffect(() => {
    if (settings && chromeAi) setDraft(draftFrom(settings, chromeAi));
  }, [settings?.savedAt, settings === undefined, chromeAi === undefined]);

  const engineKeyName = draft ? ENGINE_KEY[draft.engine] : undefined;
  const models = useModelList(
    draft?.engine ?? 'gemini',
    draft && engineKeyName ? draft[engineKeyName] : '',
    draft?.engine === 'compatible' ? draft.baseUrl : '',
    settings?.savedAt,
  );

  if (!settings || !draft) return <p class="muted">Loading…</p>;

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft({ ...draft, [key]: value });
    if (key !== 'engine') setErrors({ ...errors, [key]: undefined });
  };
  const saved = (name: SecretName) => settings.secretHints[name];

  async function save(event: Event) {
    event.preventDefault();
    if (!draft) return;
    // Asked first, while the click still counts as the user's gesture.
    if (draft.engine === 'compatible' && draft.baseUrl.trim()) await requestHostPermission(draft.baseUrl.trim());
    setStatus({ kind: 'saving' });
    setErrors({});
    const form: SettingsForm = {
      engine: draft.engine,
      baseUrl: draft.baseUrl,
      model: draft.model,
      limitPreset: draft.limitPreset,
      monthlyBudget: draft.monthlyBudget,
      connectionsDatabaseUrl: draft.connectionsDatabaseUrl,
    };
    // An empty secret box means "keep what is saved".
    for (const name of ['notionToken', 'geminiKey', 'openaiKey', 'compatibleKey'] as const) {
      if (draft[name].trim()) form[name] = draft[name];
    }
    try {
      const result = await sendMessage('saveSettings', form);
      if (result.ok) {
        const workspace = result.settings.workspaceName
          ? ` Connected to Notion workspace “${result.settings.workspaceName}”.`
          : '';
        setStatus({
          kind: 'saved',
          text: `Saved.${workspace}${result.notes.length ? ` ${result.notes.join(' ')}` : ''}`,
        });
      } else {
        setErrors(result.errors);
        setStatus({ kind: 'failed', text: 'Nothing was saved. Fix the fields marked below.' });
      }
    } catch (error) {
      setStatus({
        kind: 'failed',
        text: `Nothing was saved: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  async function clearAll() {
    await sendMessage('clearSettings', undefined);
    setConfirmClear(false);
    setErrors({});
    setStatus({ kind: 'saved', text: 'Cleared. Every setting and key was removed from this browser.' });
  }

  const engineAvailable = (id: EngineId) => id !== 'chrome' || chromeAi !== 'unavailable';
  // Firefox has no on-device model for extensions at all: say that, not "this browser" in general.
  const unavailableNote =
    import.meta.env.BROWSER === 'firefox' ? ' — needs Chrome' : ' — not available in this browser';

  return (
    <form class="settings" onSubmit={save} noValidate>
      <SecretField
        label="Notion internal integration secret"
        link={{ href: KEY_PAGES.notion, text: 'Get it' }}
        hint={
          // After a refused secret the field says only why: the last good workspace would contradict it.
          settings.workspaceName && !errors.notionToken
            ? `Connected to “${settings.workspaceName}”. Share each page or database with your integration: ••• → Connections.`
            : 'Create an internal integration in Notion and copy its secret. A personal access token works too.'
        }
        error={errors.notionToken}
        saved={saved('notionToken')}
        emptyPlaceholder="ntn_…"
        value={draft.notionToken}
        onInput={(value) => set('notionToken', value)}
      />

      <Field label="AI engine" hint={engineHint(draft.engine)}>
        {({ id, describedBy }) => (
          <select
            id={id}
            value={draft.engine}
            aria-describedby={describedBy}
            onChange={(e) => {
              const engine = e.currentTarget.value as EngineId;
              setDraft({
                ...draft,
                engine,
                model: settings.models[engine] ?? '',
                limitPreset: limitsFor(engine, settings.limitPresets[engine]).id,
              });
              setErrors({});
            }}
          >
            {ENGINE_IDS.map((engine) => (
              <option key={engine} value={engine} disabled={!engineAvailable(engine)}>
                {ENGINE_OPTION_LABELS[engine]}
                {engineAvailable(engine) ? '' : unavailableNote}
              </option>
            ))}
          </select>
        )}
      </Field>

      {draft.engine === 'gemini' && (
        <SecretField
          label="Gemini API key"
          link={{ href: KEY_PAGES.gemini, text: 'Get a key' }}
          hint="From Google AI Studio. The free tier allows roughly 10–30 requests a minute."
          error={errors.geminiKey}
          saved={saved('geminiKey')}
          emptyPlaceholder="AIza…"
          value={draft.geminiKey}
          onInput={(value) => set('geminiKey', value)}
        />
      )}

      {draft.engine === 'openai' && (
        <SecretField
          label="OpenAI API key"
          link={{ href: KEY_PAGES.openai, text: 'Get a key' }}
          hint="From platform.openai.com. Usage is billed by OpenAI to your account."
          error={errors.openaiKey}
          saved={saved('openaiKey')}
          emptyPlaceholder="sk-…"
          value={draft.openaiKey}
          onInput={(value) => set('openaiKey', value)}
        />
      )}

      {draft.engine === 'compatible' && (
        <>
          <Field
            label="Base URL"
            hint="Ollama: http://localhost:11434/v1 · LM Studio: http://localhost:1234/v1 · OpenRouter: https://openrouter.ai/api/v1"
            error={errors.baseUrl}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="url"
                spellcheck={false}
                placeholder="http://localhost:11434/v1"
                value={draft.baseUrl}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onInput={(e) => set('baseUrl', e.currentTarget.value)}
              />
            )}
          </Field>
          <SecretField
            label="API key (optional)"
            hint="Local servers need none."
            error={errors.compatibleKey}
            saved={saved('compatibleKey')}
            emptyPlaceholder="Not needed for Ollama"
            value={draft.compatibleKey}
            onInput={(value) => set('compatibleKey', value)}
          />
        </>
      )}

      {draft.engine === 'chrome' && <ChromeAiSetup />}

      <Field label="Model" hint={modelHint(draft.engine, models)} error={errors.model}>
        {({ id, describedBy, invalid }) => (
          <>
            <input
              id={id}
              type="text"
              spellcheck={false}
              list={`${id}-models`}
              placeholder={DEFAULT_MODELS[draft.engine]}
              value={draft.model}
              disabled={draft.engine === 'chrome'}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(e) => set('model', e.currentTarget.value)}
            />
            <datalist id={`${id}-models`} data-testid="model-options">
              {models.status === 'ready' && models.models.map((m) => <option key={m} value={m} />)}
            </datalist>
          </>
        )}
      </Field>

      <Field
        label="Rate limit"
        hint="How fast Inkling may call this engine when it fills many rows. Pick your plan’s tier."
      >
        {({ id, describedBy }) => (
          <select
            id={id}
            value={draft.limitPreset}
            aria-describedby={describedBy}
            onChange={(e) => set('limitPreset', e.currentTarget.value)}
          >
            {LIMIT_PRESETS[draft.engine].map((preset) => (
              <option key={preset.id} value={preset.id}>
                {preset.label}
              </option>
            ))}
          </select>
        )}
      </Field>

      <Field
        label="Monthly budget"
        hint="In US dollars, for model calls (estimated from tokens). A run that would pass it asks first; once it is spent, runs stop. Leave empty for none."
        error={errors.monthlyBudget}
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            type="text"
            inputMode="decimal"
            placeholder="No budget"
            value={draft.monthlyBudget}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(e) => set('monthlyBudget', e.currentTarget.value)}
          />
        )}
      </Field>

      <Field
        label="Connections database"
        hint="A Notion database where Inkling lists every page and database you generate into. Paste its link."
        error={errors.connectionsDatabaseUrl}
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            type="url"
            spellcheck={false}
            placeholder="https://www.notion.so/…"
            value={draft.connectionsDatabaseUrl}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(e) => set('connectionsDatabaseUrl', e.currentTarget.value)}
          />
        )}
      </Field>
      {picking ? (
        <PagePicker
          label="Parent page"
          hint="Inkling creates the connections database inside this page."
          action="Create the connections database"
          onCancel={() => setPicking(false)}
          onPick={async (page) => {
            const outcome = await sendMessage('createConnectionsDatabase', { parentPageId: page.id });
            setPicking(false);
            setStatus(
              outcome.ok
                ? {
                    kind: 'saved',
                    text: `Created “${outcome.value.title}” in “${page.title}”; every connection is listed there from now on.`,
                  }
                : { kind: 'failed', text: outcome.problem.message },
            );
          }}
        />
      ) : (
        !settings.connectionsDatabase && (
          <button type="button" class="button" disabled={!settings.workspaceName} onClick={() => setPicking(true)}>
            Create connections database
          </button>
        )
      )}

      <p class="settings__privacy muted">
        Stored only in this browser (never synced, never sent anywhere but Notion and your model’s provider).
      </p>

      {status.kind !== 'idle' && (
        <p class={`status status--${status.kind}`} role="status">
          {status.kind === 'saving' ? 'Checking with Notion and your model…' : status.text}
        </p>
      )}

      {confirmClear ? (
        <div class="confirm" role="alertdialog" aria-label="Clear settings">
          <p>Remove every setting and key Inkling stored in this browser?</p>
          <div class="actions">
            <button type="button" class="button button--danger" onClick={clearAll}>
              Clear everything
            </button>
            <button type="button" class="button" onClick={() => setConfirmClear(false)}>
              Keep them
            </button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button type="submit" class="button button--primary" disabled={status.kind === 'saving'}>
            Save
          </button>
          <button type="button" class="button" onClick={() => setConfirmClear(true)}>
            Clear
          </button>
        </div>
      )}
    </form>
  );
}
