import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import { draftFrom, startingEngine } from './settings-fields';

describe('the engine Settings starts on', () => {
  const saved = { ...DEFAULT_SETTINGS, engine: 'openai' as const, savedAt: 1, models: { openai: 'gpt-5.5' } };

  it('is Chrome built-in AI on a fresh profile where the on-device model can run or be downloaded', () => {
    for (const availability of ['available', 'downloadable', 'downloading'] as const) {
      expect(startingEngine(DEFAULT_SETTINGS, availability)).toBe('chrome');
    }
    expect(draftFrom(DEFAULT_SETTINGS, 'available')).toMatchObject({ engine: 'chrome', model: '' });
  });

  it('is the default (which asks for a key) where the on-device model cannot run', () => {
    expect(startingEngine(DEFAULT_SETTINGS, 'unavailable')).toBe(DEFAULT_SETTINGS.engine);
    expect(draftFrom(DEFAULT_SETTINGS).engine).toBe(DEFAULT_SETTINGS.engine);
  });

  it('is always the saved engine once anything was saved', () => {
    expect(startingEngine(saved, 'available')).toBe('openai');
    expect(draftFrom(saved, 'available')).toMatchObject({ engine: 'openai', model: 'gpt-5.5' });
  });
});
