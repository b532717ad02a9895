// The production build's content script, as gzip sends it, which the notion.so tab loads on every
// Notion page whether Inkling is opened or not, and the panel it loads once Inkling is opened.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { recordMeasurement } from './measurements.ts';

const BUILD = resolve(import.meta.dirname, '../../.output/chrome-mv3');
const gzipped = (file: string) => gzipSync(readFileSync(resolve(BUILD, file)), { level: 9 }).length;

describe('the production build', () => {
  // The content script is only the launcher, the messages that open the panel and its shadow root
  // (6.4 KB); the panel (with preact, half of what it was) is loaded the first time Inkling is opened
  // in a tab. Together they were 24.5 KB on every Notion page load before the panel was split off.
  it('ships a content script of at most 8 KB gzip, and a panel of at most 24 KB loaded when opened', () => {
    const script = gzipped('content-scripts/notion.js');
    const panel = gzipped('panel.js');
    const css = gzipped('content-scripts/notion.css');
    recordMeasurement('content script gzip bytes', { script, panel, css });
    expect(script).toBeLessThanOrEqual(8_000);
    expect(panel).toBeLessThanOrEqual(24_000);
    // Its styles come with it into the panel's shadow root.
    expect(css).toBeLessThanOrEqual(2_500);
  });
});
