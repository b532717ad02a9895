// Chrome built-in AI: whether the on-device model can run here, and its first download — started
// from a click, as the Prompt API requires, with its progress shown.
import { useEffect, useState } from 'preact/hooks';
import {
  CHROME_AI_OPTIONS,
  chromeAiAvailability,
  chromeLanguageModel,
  type Availability,
} from '../../shared/chrome-ai';

export function ChromeAiSetup() {
  const [availability, setAvailability] = useState<Availability | 'checking'>('checking');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');

  useEffect(() => void chromeAiAvailability().then(setAvailability), []);

  async function download() {
    const api = chromeLanguageModel();
    if (!api) return;
    setError('');
    setProgress(0);
    try {
      const session = await api.create({
        ...CHROME_AI_OPTIONS,
        monitor: (monitor) =>
          monitor.addEventListener('downloadprogress', (event) => setProgress((event as ProgressEvent).loaded)),
      });
      session.destroy();
      setAvailability(await chromeAiAvailability(api));
    } catch (e) {
      setError(`The download did not finish: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setProgress(null);
    }
  }

  if (availability === 'checking') return <p class="muted">Checking Chrome’s on-device model…</p>;
  if (availability === 'unavailable') {
    return (
      <p class="field__error" data-testid="chrome-ai">
        {import.meta.env.BROWSER === 'firefox'
          ? 'Chrome built-in AI needs Chrome: Firefox has no on-device model for extensions. Choose Gemini, GPT (OpenAI) or an OpenAI-compatible server such as Ollama.'
          : 'Chrome’s on-device model cannot run in this browser.'}
      </p>
    );
  }
  if (availability === 'available')
    return (
      <div data-testid="chrome-ai">
        <p class="status status--saved">Chrome’s on-device model is ready.</p>
        <Capabilities />
      </div>
    );
  return (
    <div class="field" data-testid="chrome-ai">
      <Capabilities />
      <p class="muted">The on-device model (about 2 GB) must be downloaded once. Keep Chrome open until it finishes.</p>
      {progress === null ? (
        <button type="button" class="button" onClick={download}>
          Download model
        </button>
      ) : (
        <div>
          <progress max={1} value={progress} aria-label="Model download" />
          <span class="muted"> Downloading… {Math.round(progress * 100)}%</span>
        </div>
      )}
      {error && (
        <p class="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** What the on-device model can and cannot do, said before anyone relies on it. */
function Capabilities() {
  return (
    <ul class="muted capabilities" aria-label="What Chrome’s on-device model can do">
      <li>Free and needs no key: prompts and answers never leave this computer.</li>
      <li>Typed database outputs work: it answers in the JSON shape each column needs.</li>
      <li>
        It is small: a call holds a few thousand tokens (Chrome sets how many), so a long page or a big prompt may not
        fit, and it is slower and less capable than cloud models.
      </li>
      <li>Inkling asks it for English; other languages may come out poorly.</li>
    </ul>
  );
}
