// Images and files a request carries, as every provider sees them: what the bytes really are (magic numbers
// and headers, never just the declared type), their size in pixels or pages, what they cost in input tokens,
// and what `calls[].attachments` records of them. Each provider's request shapes and refusals are in
// openai-media.ts and gemini-media.ts.
//
// Token rules (deterministic, so tests can predict usage):
//   OpenAI image: detail "low" → 85; otherwise fit within 2048×2048, shrink the shorter side to at most 768
//                 (not for "original"), then 85 + 170 per 512-px tile (765 when the size cannot be read).
//                 A compatible server: 256 per image.
//   OpenAI PDF:   765 per page (a page image at high detail).
//   Gemini image: 258 when both sides are ≤ 384 px (or unreadable), else 258 per 768×768 tile.
//   Gemini PDF:   258 per page.
// Pages are counted as a PDF's `/Type /Page` objects (at least 1).
import { createHash } from 'node:crypto';

/** One image or file a call carried, as `calls[].attachments` records it. */
export interface Attachment {
  kind: 'image' | 'file';
  /** The MIME type the request declared. */
  mimeType: string;
  /** Size of the decoded bytes. */
  bytes: number;
  /** Hex SHA-256 of the decoded bytes. */
  sha256: string;
  /** The file name, when the request gives one (OpenAI's file parts). */
  name?: string;
}

/** An attachment as the model turn uses it: what it costs, and which packed row it came after. */
export interface Received extends Attachment {
  tokens: number;
  /** The id of the last `<row id="…">` opened in the text before it, if any. */
  row?: string;
}

export type Format = 'png' | 'jpeg' | 'gif' | 'webp' | 'heic' | 'heif' | 'bmp' | 'tiff' | 'svg' | 'pdf';

export interface Sniffed {
  format?: Format;
  width?: number;
  height?: number;
  /** A GIF with more than one frame (its NETSCAPE2.0 looping block). */
  animated?: boolean;
}

const startsWith = (b: Buffer, bytes: number[], at = 0): boolean => bytes.every((x, i) => b[at + i] === x);

/** What the bytes are, by their magic numbers, and their size when the header says it cheaply. */
export function sniff(b: Buffer): Sniffed {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) && b.length >= 24)
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { format: 'jpeg', ...jpegSize(b) };
  const ascii = b.subarray(0, 12).toString('latin1');
  if ((ascii.startsWith('GIF87a') || ascii.startsWith('GIF89a')) && b.length >= 10)
    return { format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8), animated: b.includes('NETSCAPE2.0') };
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return { format: 'webp', ...webpSize(b) };
  if (ascii.slice(4, 8) === 'ftyp') {
    const brand = ascii.slice(8, 12);
    if (['heic', 'heix', 'hevc', 'hevx'].includes(brand)) return { format: 'heic' };
    if (['mif1', 'msf1', 'heif'].includes(brand)) return { format: 'heif' };
  }
  if (ascii.startsWith('BM')) return { format: 'bmp' };
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return { format: 'tiff' };
  if (ascii.startsWith('%PDF-')) return { format: 'pdf' };
  if (/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(b.subarray(0, 256).toString('latin1'))) return { format: 'svg' };
  return {};
}

/** The first start-of-frame marker's size. */
function jpegSize(b: Buffer): { width?: number; height?: number } {
  let at = 2;
  while (at + 9 < b.length && b[at] === 0xff) {
    const marker = b[at + 1] ?? 0;
    const length = b.readUInt16BE(at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) return { height: b.readUInt16BE(at + 5), width: b.readUInt16BE(at + 7) };
    at += 2 + length;
  }
  return {};
}

function webpSize(b: Buffer): { width?: number; height?: number } {
  const chunk = b.subarray(12, 16).toString('latin1');
  if (chunk === 'VP8X' && b.length >= 30) return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = b.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ' && b.length >= 30)
    return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  return {};
}

/** A PDF's page objects (not its page-tree nodes), at least one. */
export function pdfPages(b: Buffer): number {
  return Math.max(1, b.toString('latin1').match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0);
}

const OPENAI_BASE_TOKENS = 85;
const OPENAI_TILE_TOKENS = 170;
export const OPENAI_PDF_PAGE_TOKENS = 765;
export const COMPATIBLE_IMAGE_TOKENS = 256;
export const GEMINI_TILE_TOKENS = 258;

export function openaiImageTokens(s: Sniffed, detail: string | undefined): number {
  if (detail === 'low') return OPENAI_BASE_TOKENS;
  if (!s.width || !s.height) return OPENAI_BASE_TOKENS + OPENAI_TILE_TOKENS * 4;
  let [w, h] = [s.width, s.height];
  const fit = Math.min(1, 2048 / Math.max(w, h));
  [w, h] = [w * fit, h * fit];
  const shrink = detail === 'original' ? 1 : Math.min(1, 768 / Math.min(w, h));
  [w, h] = [w * shrink, h * shrink];
  return OPENAI_BASE_TOKENS + OPENAI_TILE_TOKENS * Math.ceil(w / 512) * Math.ceil(h / 512);
}

export function geminiImageTokens(s: Sniffed): number {
  if (!s.width || !s.height || (s.width <= 384 && s.height <= 384)) return GEMINI_TILE_TOKENS;
  return GEMINI_TILE_TOKENS * Math.ceil(s.width / 768) * Math.ceil(s.height / 768);
}

export function received(
  fields: { kind: Attachment['kind']; mimeType: string; data: Buffer; name?: string },
  tokens: number,
  row: string | undefined,
): Received {
  return {
    kind: fields.kind,
    mimeType: fields.mimeType,
    bytes: fields.data.length,
    sha256: createHash('sha256').update(fields.data).digest('hex'),
    ...(fields.name === undefined ? {} : { name: fields.name }),
    tokens,
    ...(row === undefined ? {} : { row }),
  };
}

/** The public record of an attachment (what calls[] shows). */
export function asAttachment(r: Received): Attachment {
  const { tokens: _tokens, row: _row, ...attachment } = r;
  return attachment;
}

/** The last `<row id="…">` a text opens (the packed-prompt convention, see script.ts), else `current`. */
export function lastRowIn(text: string, current: string | undefined): string | undefined {
  const ids = [...text.matchAll(/<row id="([^"]+)">/g)].map((m) => m[1]);
  return ids[ids.length - 1] ?? current;
}

/** A `data:<mime>;base64,<data>` URL split up; undefined for anything else. */
export function parseDataUrl(url: string): { mimeType: string; base64: string } | undefined {
  const m = /^data:([^;,]*)(?:;[^;,=]+=[^;,]*)*;base64,(.*)$/is.exec(url);
  return m ? { mimeType: (m[1] ?? '').toLowerCase(), base64: m[2] ?? '' } : undefined;
}

/** Standard or URL-safe base64, padded or not, with nothing else in it. */
export function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/_-]*={0,2}$/.test(text) && text.replace(/=+$/, '').length % 4 !== 1;
}

const count = (n: number, noun: string): string[] => (n === 0 ? [] : [`${n} ${noun}${n === 1 ? '' : 's'}`]);

/**
 * What the unscripted answer adds when a call carried attachments, e.g. " (with 1 image)" or
 * " (with 2 images and 1 file: report.pdf)"; empty without any.
 */
export function attachmentNote(list: readonly Attachment[] | undefined): string {
  if (!list || list.length === 0) return '';
  const images = list.filter((a) => a.kind === 'image').length;
  const counts = [...count(images, 'image'), ...count(list.length - images, 'file')].join(' and ');
  const names = list.flatMap((a) => (a.name === undefined ? [] : [a.name]));
  return ` (with ${counts}${names.length > 0 ? `: ${names.join(', ')}` : ''})`;
}
