// What `npm run zip` hands to the Chrome Web Store and to addons.mozilla.org, read back from the zips
// as a reviewer would: the manifest's fields, the icons it names, what is in the package and what must
// never be (source maps, secrets, remote code), and its size.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../sandbox/notion/fixtures.ts';
import { recordMeasurement } from './measurements.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
const zipPath = (flavour: 'chrome' | 'firefox' | 'sources') =>
  resolve(ROOT, `.output/inkling-${version}-${flavour}.zip`);

function unzip(flavour: 'chrome' | 'firefox' | 'sources'): Record<string, Uint8Array> {
  const path = zipPath(flavour);
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run zip`);
  return unzipSync(readFileSync(path));
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  expect([...bytes.subarray(0, 8)]).toEqual(signature);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Strings that look like a credential: the sandbox's own secrets, and the shapes of real ones. */
const SECRET_SHAPES: RegExp[] = [
  /ntn_[A-Za-z0-9]{40,}/,
  /secret_[A-Za-z0-9]{40,}/,
  /sk-(?:proj-)?[A-Za-z0-9_-]{20,}/,
  /AIza[0-9A-Za-z_-]{35}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

/** The manifest fields checked here, as the build writes them. */
interface Manifest {
  manifest_version: number;
  version: string;
  name: string;
  short_name: string;
  description: string;
  icons: Record<string, string>;
  permissions: string[];
  host_permissions: string[];
  optional_host_permissions: string[];
  content_scripts: Array<{ matches: string[]; js: string[] }>;
  content_security_policy?: unknown;
  web_accessible_resources: Array<{ resources: string[]; matches: string[] }>;
  action: { default_title: string; default_popup: string };
  background: unknown;
  browser_specific_settings?: { gecko: { id: string } };
}

const HOSTS = [
  'https://www.notion.so/*',
  'https://api.notion.com/*',
  'https://api.openai.com/*',
  'https://generativelanguage.googleapis.com/*',
  'https://prod-files-secure.s3.us-west-2.amazonaws.com/*',
];

describe.each(['chrome', 'firefox'] as const)('the %s store package', (flavour) => {
  const files = unzip(flavour);
  const manifest = JSON.parse(text(files['manifest.json']!)) as Manifest;

  it('has the manifest a store listing needs, with least privilege', () => {
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.version).toBe(version);
    expect(manifest.name).toBe('Inkling — AI writer for Notion');
    expect(manifest.short_name).toBe('Inkling');
    // The Chrome Web Store cuts descriptions at 132 characters.
    expect(manifest.description.length).toBeGreaterThan(40);
    expect(manifest.description.length).toBeLessThanOrEqual(132);
    expect(manifest.permissions).toEqual(['storage', 'unlimitedStorage', 'alarms']);
    expect(manifest.host_permissions).toEqual(HOSTS);
    // Other model hosts (Ollama, OpenRouter…) are asked for when the user saves a Base URL.
    expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(manifest.content_scripts).toEqual([
      expect.objectContaining({ matches: ['https://www.notion.so/*'], js: ['content-scripts/notion.js'] }),
    ]);
    // notion.so may load only the panel's script (loaded when Inkling is first opened) and its styles.
    expect(manifest.web_accessible_resources.flatMap((entry) => entry.resources).toSorted()).toEqual([
      'content-scripts/notion.css',
      'panel.js',
    ]);
    for (const entry of manifest.web_accessible_resources) {
      expect(entry.matches).toEqual(['https://www.notion.so/*']);
    }
    // No loosened content security policy: no eval, no remote scripts.
    expect(manifest.content_security_policy).toBeUndefined();
    expect(manifest.action).toMatchObject({ default_title: 'Inkling', default_popup: 'popup.html' });
    if (flavour === 'firefox') {
      expect(manifest.browser_specific_settings?.gecko.id).toBe('inkling@inkling.dev');
      expect(manifest.background).toEqual({ scripts: ['background.js'] });
    } else {
      expect(manifest.background).toEqual({ service_worker: 'background.js' });
    }
    for (const file of [manifest.action.default_popup, ...manifest.content_scripts[0]!.js, 'panel.js']) {
      expect(files[file], file).toBeDefined();
    }
  });

  it('asks for no permission or host that PRIVACY.md does not explain', () => {
    const privacy = readFileSync(resolve(ROOT, 'PRIVACY.md'), 'utf8');
    for (const permission of manifest.permissions) expect(privacy, permission).toContain(`\`${permission}\``);
    for (const host of manifest.host_permissions) {
      const name = new URL(host.replace('/*', '/')).host;
      expect(privacy, name).toContain(`\`${name}\``);
    }
  });

  it('has every icon the manifest names, at its size', () => {
    expect(Object.keys(manifest.icons)).toEqual(['16', '32', '48', '128']);
    for (const [size, file] of Object.entries(manifest.icons)) {
      expect(files[file], file).toBeDefined();
      expect(pngSize(files[file]!)).toEqual({ width: Number(size), height: Number(size) });
    }
  });

  it('ships no source maps, no secrets and no remote code, within its size', () => {
    const names = Object.keys(files);
    expect(names.filter((name) => name.endsWith('.map'))).toEqual([]);
    for (const name of names.filter((n) => /\.(js|html|css|json)$/.test(n))) {
      const body = text(files[name]!);
      expect(body, name).not.toContain('sourceMappingURL');
      expect(body, name).not.toContain(FIXTURES.token);
      for (const shape of SECRET_SHAPES) expect(shape.exec(body)?.[0], `${name}: ${shape}`).toBeUndefined();
      if (name.endsWith('.html')) expect(body, name).not.toMatch(/<script[^>]+src="(?:https?:)?\/\//);
    }
    const bytes = readFileSync(zipPath(flavour)).length;
    recordMeasurement(`${flavour} store zip bytes`, { bytes, files: names.length });
    // 318 KB at 0.1.0: the Notion, OpenAI and Gemini SDKs and the Markdown parser, in the background.
    expect(bytes).toBeLessThanOrEqual(400_000);
  });
});

describe('the sources package (for addons.mozilla.org review)', () => {
  const files = unzip('sources');
  const names = Object.keys(files);

  it('has what builds the extension, and nothing of a machine: no builds, dependencies or keys', () => {
    for (const needed of ['package.json', 'package-lock.json', 'wxt.config.ts', 'README.md', 'PRIVACY.md']) {
      expect(names, needed).toContain(needed);
    }
    expect(names.filter((name) => /^(node_modules|\.output|\.tmp|\.wxt|\.git)\//.test(name))).toEqual([]);
    expect(names.filter((name) => /(^|\/)\.env|\.(pem|key|crt)$/.test(name))).toEqual([]);
    for (const name of names) {
      expect(/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text(files[name]!)), name).toBe(false);
    }
  });
});
