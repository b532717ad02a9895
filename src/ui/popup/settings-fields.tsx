// The parts of the Settings form (settings-tab.tsx): its draft, the secret field, the hints under the
// engine and model, and the host permission a remote server's Base URL asks for.
import type { ComponentChildren } from 'preact';
import { browser } from 'wxt/browser';
import { DEFAULT_MODELS, type EngineId } from '../../shared/engines';
import { limitsFor } from '../../shared/limit-presets';
import { type Settings } from '../../shared/settings';
import type { Availability } from '../../shared/chrome-ai';
import { Field } from '../field';
import type { useModelList } from './use-model-list';

export interface Draft {
  engine: EngineId;
  notionToken: string;
  geminiKey: string;
  openaiKey: string;
  compatibleKey: string;
  baseUrl: string;
  model: string;
  limitPreset: string;
  monthlyBudget: string;
  connectionsDatabaseUrl: string;
}

/**
 * The engine the form starts on: the saved one, except on a fresh profile (nothing saved yet) where
 * Chrome's on-device model can run — there it is the default, since it needs no key.
 */
export function startingEngine(settings: Settings, chromeAi: Availability): EngineId {
  return settings.savedAt === null && chromeAi !== 'unavailable' ? 'chrome' : settings.engine;
}

export function draftFrom(settings: Settings, chromeAi: Availability = 'unavailable'): Draft {
  const engine = startingEngine(settings, chromeAi);
  return {
    engine,
    notionToken: '',
    geminiKey: '',
    openaiKey: '',
    compatibleKey: '',
    baseUrl: settings.baseUrl,
    model: settings.models[engine] ?? '',
    limitPreset: limitsFor(engine, settings.limitPresets[engine]).id,
    monthlyBudget: settings.monthlyBudgetUsd ? String(settings.monthlyBudgetUsd) : '',
    connectionsDatabaseUrl: settings.connectionsDatabase?.url ?? '',
  };
}

/** Servers on this computer: reached through their own CORS settings (Ollama's OLLAMA_ORIGINS, LM Studio's "Enable CORS"). */
export function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * Asks Chrome for a remote Base URL's host, so the server is reachable whatever its CORS policy.
 * Local servers are not asked for: Ollama checks the request's Origin whatever Chrome allows, so the
 * permission would not help there, and its own setting (OLLAMA_ORIGINS) is what the error explains.
 */
export async function requestHostPermission(baseUrl: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return; // The background explains a malformed URL.
  }
  if (isLoopback(url)) return;
  const origin = `${url.origin}/*`;
  try {
    if (await browser.permissions.contains({ origins: [origin] })) return;
    await browser.permissions.request({ origins: [origin] });
  } catch {
    // Refused: a server that answers CORS (as OpenRouter does) still works.
  }
}

/** A key or secret: masked as typed; once saved, the placeholder shows its masked form. */
export function SecretField(props: {
  label: string;
  link?: { href: string; text: string };
  hint: ComponentChildren;
  error: string | undefined;
  saved: string | undefined;
  emptyPlaceholder: string;
  value: string;
  onInput(value: string): void;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error} {...(props.link ? { link: props.link } : {})}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          type="password"
          autoComplete="off"
          spellcheck={false}
          placeholder={props.saved ? `Saved: ${props.saved}` : props.emptyPlaceholder}
          value={props.value}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

export function modelHint(engine: EngineId, models: ReturnType<typeof useModelList>): string {
  const fallback = `Leave empty for ${DEFAULT_MODELS[engine]}, or type any model name.`;
  if (models.status === 'ready') return `${models.models.length} models available. ${fallback}`;
  if (models.status === 'loading') return `Asking the provider for its models… ${fallback}`;
  return fallback;
}

export function engineHint(engine: EngineId): string {
  switch (engine) {
    case 'gemini':
      return 'Google’s Gemini. Has a free tier.';
    case 'openai':
      return 'OpenAI’s GPT models. Paid per use.';
    case 'compatible':
      return 'Any server that speaks OpenAI’s API: Ollama, LM Studio, OpenRouter, Groq, Together, DeepSeek…';
    case 'chrome':
      return 'Chrome’s on-device model: free and private, nothing leaves your computer.';
  }
}
