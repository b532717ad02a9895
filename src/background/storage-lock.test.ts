// The storage lock: storage.local is locked to trusted contexts where the browser can (Chrome), so a
// content script in the notion.so tab reads nothing there; where it cannot (Firefox) nothing fails.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { lockStorageToTrustedContexts } from './storage-lock';

type Local = Omit<typeof fakeBrowser.storage.local, 'setAccessLevel'> & { setAccessLevel?: unknown };
const local = fakeBrowser.storage.local as unknown as Local;
const original = local.setAccessLevel;

afterEach(() => {
  local.setAccessLevel = original;
});

describe('lockStorageToTrustedContexts', () => {
  it('locks storage.local to trusted contexts where the browser can', async () => {
    const setAccessLevel = vi.fn(async () => undefined);
    local.setAccessLevel = setAccessLevel;
    await lockStorageToTrustedContexts();
    expect(setAccessLevel).toHaveBeenCalledExactlyOnceWith({ accessLevel: 'TRUSTED_CONTEXTS' });
  });

  it('does nothing where storage.local has no access level (Firefox)', async () => {
    delete local.setAccessLevel;
    await expect(lockStorageToTrustedContexts()).resolves.toBeUndefined();
  });

  it('does not hide a refusal from its caller', async () => {
    local.setAccessLevel = vi.fn(async () => {
      throw new Error('Access level can only be set from a privileged context');
    });
    await expect(lockStorageToTrustedContexts()).rejects.toThrow('privileged context');
  });
});
