import { describe, expect, it } from 'vitest';
import { NOTION_LANGUAGES, toNotionLanguage } from './code-languages';

describe('toNotionLanguage', () => {
  it.each([
    ['ts', 'typescript'],
    ['tsx', 'typescript'],
    ['js', 'javascript'],
    ['jsx', 'javascript'],
    ['mjs', 'javascript'],
    ['cjs', 'javascript'],
    ['py', 'python'],
    ['sh', 'shell'],
    ['zsh', 'shell'],
    ['console', 'shell'],
    ['bash', 'bash'],
    ['yml', 'yaml'],
    ['rb', 'ruby'],
    ['rs', 'rust'],
    ['golang', 'go'],
    ['kt', 'kotlin'],
    ['cs', 'c#'],
    ['csharp', 'c#'],
    ['cpp', 'c++'],
    ['cc', 'c++'],
    ['hpp', 'c++'],
    ['objc', 'objective-c'],
    ['md', 'markdown'],
    ['dockerfile', 'docker'],
    ['tf', 'hcl'],
    ['ps1', 'powershell'],
    ['proto', 'protobuf'],
    ['sol', 'solidity'],
    ['vue', 'html'],
    ['svelte', 'html'],
    ['jsonc', 'json'],
    ['json5', 'json'],
    ['text', 'plain text'],
    ['txt', 'plain text'],
    ['plaintext', 'plain text'],
  ])('maps %s to %s', (tag, language) => {
    expect(toNotionLanguage(tag)).toBe(language);
  });

  it('maps unknown tags and missing tags to plain text', () => {
    expect(toNotionLanguage('unknownlang')).toBe('plain text');
    expect(toNotionLanguage('')).toBe('plain text');
    expect(toNotionLanguage(null)).toBe('plain text');
    expect(toNotionLanguage(undefined)).toBe('plain text');
    // Object.prototype keys are not aliases.
    expect(toNotionLanguage('constructor')).toBe('plain text');
    expect(toNotionLanguage('__proto__')).toBe('plain text');
  });

  it('is case-insensitive and tolerates decorated info strings', () => {
    expect(toNotionLanguage('TS')).toBe('typescript');
    expect(toNotionLanguage('Python')).toBe('python');
    expect(toNotionLanguage('python title="app.py"')).toBe('python');
    expect(toNotionLanguage('{.python}')).toBe('python');
    expect(toNotionLanguage('language-rust')).toBe('rust');
    expect(toNotionLanguage('ts {1,3}')).toBe('typescript');
  });

  it('passes Notion’s own names through, including those with spaces and symbols', () => {
    for (const language of NOTION_LANGUAGES) expect(toNotionLanguage(language)).toBe(language);
    expect(toNotionLanguage('Plain Text')).toBe('plain text');
  });

  it('lists exactly Notion’s 90 languages', () => {
    expect(NOTION_LANGUAGES).toHaveLength(90);
    expect(new Set(NOTION_LANGUAGES).size).toBe(NOTION_LANGUAGES.length);
  });
});
