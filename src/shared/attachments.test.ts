// What each engine takes, said as the panel says it; a file's type from its bytes; sizes; base64.
import { describe, expect, it } from 'vitest';
import { acceptedText, acceptedTypes, sizeText, sniffType, toBase64 } from './attachments';

const bytes = (...b: number[]) => new Uint8Array([...b, ...Array.from({ length: 16 }, () => 0)]);

describe('file inputs', () => {
  it('say what each engine takes', () => {
    expect(acceptedText('openai')).toBe('PNG, JPEG, WebP and GIF images and PDFs');
    expect(acceptedText('gemini')).toBe('PNG, JPEG and WebP images and PDFs');
    expect(acceptedText('compatible')).toBe('PNG, JPEG, WebP and GIF images');
    expect(acceptedTypes('chrome')).toEqual([]);
    expect(acceptedText('chrome')).toBe('no files');
  });

  it('know a file by its first bytes, whatever its name says', () => {
    expect(sniffType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('image/png');
    expect(sniffType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniffType(new TextEncoder().encode('GIF89a......'))).toBe('image/gif');
    expect(sniffType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffType(new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt '))).toBeUndefined();
    expect(sniffType(new TextEncoder().encode('%PDF-1.7\n'))).toBe('application/pdf');
    // A Word document (a zip) is none of them.
    expect(sniffType(bytes(0x50, 0x4b, 0x03, 0x04))).toBeUndefined();
    expect(sniffType(new Uint8Array())).toBeUndefined();
  });

  it('give sizes as a person reads them', () => {
    expect(sizeText(24.1 * 1024 * 1024)).toBe('24.1 MB');
    expect(sizeText(10 * 1024 * 1024)).toBe('10 MB');
    expect(sizeText(850 * 1024)).toBe('850 KB');
    expect(sizeText(12)).toBe('1 KB');
  });

  it('encode large files in base64 without running out of stack', () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    expect(toBase64(big)).toBe(Buffer.from(big).toString('base64'));
    expect(toBase64(new TextEncoder().encode('Inkling'))).toBe('SW5rbGluZw==');
  });
});
