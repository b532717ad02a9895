// The AI engine settings: model lists from each provider, rate-limit presets, Chrome built-in AI.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import {
  byLabel,
  chooseOption,
  clearExtension,
  click,
  launch,
  openPopup,
  readExtensionStorage,
  typeInto,
  waitFor,
  type World,
} from './harness.ts';
import { languageModelStandIn } from './stand-ins.ts';
import { FIXTURES } from '../sandbox/notion/index.ts';

let world: World;
let popup: Page | undefined;

beforeAll(async () => {
  world = await launch();
});
afterAll(() => world?.close());
beforeEach(async () => {
  world.sandbox.reset();
  await clearExtension(world);
  await popup?.close().catch(() => undefined);
  popup = undefined;
});

const modelOptions = (page: Page) =>
  page.$$eval('[data-testid="model-options"] option', (os) => os.map((o) => (o as HTMLOptionElement).value));

const status = (page: Page) =>
  waitFor(
    () =>
      page
        .$eval('[role="status"]', (el) => (el.textContent?.startsWith('Checking') ? '' : el.textContent))
        .catch(() => ''),
    'status',
  );

describe('AI engine settings', () => {
  it('lists the models each provider reports, with the key typed but not yet saved', async () => {
    popup = await openPopup(world);
    await typeInto(popup, 'Gemini API key', world.sandbox.models.keys.gemini);
    expect(await waitFor(() => modelOptions(popup!).then((m) => m.length > 0 && m))).toEqual(
      expect.arrayContaining(['gemini-3.8-flash', 'gemini-3.5-flash-lite']),
    );
    await chooseOption(popup, 'AI engine', 'GPT (OpenAI)');
    await typeInto(popup, 'OpenAI API key', world.sandbox.models.keys.openai);
    expect(await waitFor(() => modelOptions(popup!).then((m) => m.includes('gpt-5.5') && m))).toContain('gpt-5.5-mini');
    await chooseOption(popup, 'AI engine', 'OpenAI-compatible');
    await typeInto(popup, 'Base URL', world.sandbox.compatibleBaseUrl);
    expect(await waitFor(() => modelOptions(popup!).then((m) => m.includes('llama3.2:latest') && m))).toBeTruthy();
    // Listing models is free: no generation was paid for.
    expect(world.sandbox.models.calls).toHaveLength(0);
  });

  it('keeps a rate-limit preset per engine', async () => {
    popup = await openPopup(world);
    await typeInto(popup, 'Gemini API key', world.sandbox.models.keys.gemini);
    await chooseOption(popup, 'Rate limit', 'Paid tier');
    await click(popup, 'Save');
    expect(await status(popup)).toContain('Saved.');
    const settings = (await readExtensionStorage(world)).settings as { limitPresets: Record<string, string> };
    expect(settings.limitPresets).toEqual({ gemini: 'paid' });
    await popup.reload();
    await waitFor(
      () => popup!.$eval(byLabel(popup!, 'Rate limit'), (s) => (s as HTMLSelectElement).value === 'paid'),
      'the saved preset',
    );
  });

  it('does not offer Chrome built-in AI where it cannot run', async () => {
    popup = await openPopup(world);
    // The form appears once the saved settings are read: wait for it, as a person would.
    await popup.waitForSelector(byLabel(popup, 'AI engine'));
    const option = await popup.$eval(byLabel(popup, 'AI engine'), (s) => {
      const o = [...(s as HTMLSelectElement).options].find((x) => x.value === 'chrome')!;
      return { disabled: o.disabled, text: o.textContent };
    });
    expect(option).toEqual({ disabled: true, text: 'Chrome built-in AI — not available in this browser' });
    // So a fresh profile starts on Gemini, which asks for its key.
    expect(await popup.$eval(byLabel(popup, 'AI engine'), (s) => (s as HTMLSelectElement).value)).toBe('gemini');
    expect(await popup.$(byLabel(popup, 'Gemini API key'))).not.toBeNull();
  });

  it('starts a fresh profile on Chrome built-in AI where it can run, and says what it can and cannot do', async () => {
    popup = await openPopup(world, { beforeLoad: languageModelStandIn({ initially: 'available' }) });
    await popup.waitForSelector(byLabel(popup, 'AI engine'));
    expect(await popup.$eval(byLabel(popup, 'AI engine'), (s) => (s as HTMLSelectElement).value)).toBe('chrome');
    // No key is asked for.
    expect(await popup.$(byLabel(popup, 'Gemini API key'))).toBeNull();
    const capabilities = await popup.$$eval('::-p-aria(What Chrome’s on-device model can do) li', (items) =>
      items.map((li) => li.textContent ?? ''),
    );
    expect(capabilities.join(' ')).toMatch(/needs no key.*JSON shape.*few thousand tokens.*English/);

    // Once something is saved, the saved engine wins: the default is for a fresh profile only.
    await chooseOption(popup, 'AI engine', 'Gemini');
    await typeInto(popup, 'Notion internal integration secret', FIXTURES.token);
    await typeInto(popup, 'Gemini API key', world.sandbox.models.keys.gemini);
    await click(popup, 'Save');
    expect(await status(popup)).toContain('Saved.');
    await popup.reload();
    await popup.waitForSelector(byLabel(popup, 'AI engine'));
    expect(await popup.$eval(byLabel(popup, 'AI engine'), (s) => (s as HTMLSelectElement).value)).toBe('gemini');
  });

  it('downloads Chrome’s on-device model from a click, showing progress, then saves it as the engine', async () => {
    popup = await openPopup(world, { beforeLoad: languageModelStandIn({ initially: 'downloadable' }) });
    await chooseOption(popup, 'AI engine', 'Chrome built-in AI');
    await click(popup, 'Download model');
    await popup.waitForSelector('::-p-aria([name="Model download"][role="progressbar"])');
    await waitFor(
      () => popup!.$eval('[data-testid="chrome-ai"]', (el) => el.textContent?.includes('ready')),
      'the model to be ready',
    );
    // The worker holds the engine: give it the same stand-in, as Chrome would have the model there too.
    const worker = await world.worker();
    await worker.evaluate(languageModelStandIn({ initially: 'available' }));
    await click(popup, 'Save');
    expect(await status(popup)).toContain('Saved.');
    expect(((await readExtensionStorage(world)).settings as { engine: string }).engine).toBe('chrome');
  });
});
