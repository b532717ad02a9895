// Files a row sends to the model with its prompt: images and PDFs uploaded to Notion, read from a
// files column the prompt names ({{Files}}). What each engine takes, and the limits the panel states.
import type { EngineId } from './engines';

/** A file as the model is sent it: its name, its type (from its bytes), and its content in base64. */
export interface Attachment {
  name: string;
  mimeType: AttachmentType;
  /** base64 of the bytes. */
  data: string;
  bytes: number;
}

export type AttachmentType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif' | 'application/pdf';

/** What a row may send at most, all its files together: within every provider's request limit once in base64. */
export const MAX_ROW_FILE_BYTES = 10 * 1024 * 1024;

/** The types each engine takes (Gemini takes no GIF; an OpenAI-compatible server, images only). */
const ACCEPTED: Record<EngineId, readonly AttachmentType[]> = {
  openai: ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf'],
  gemini: ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'],
  compatible: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'],
  chrome: [],
};

export const acceptedTypes = (engine: EngineId): readonly AttachmentType[] => ACCEPTED[engine];

/** At most this many of a page's images go with a row: a gallery page would otherwise cost a fortune. */
export const MAX_PAGE_IMAGES = 20;

/**
 * The image types a row's page may send with {{page}}: only to hosted engines, which read images with
 * every model. Many models behind an OpenAI-compatible server cannot, and a page's images are not named
 * by the prompt, so they would fail rows that ask only about the page's text.
 */
export const pageImageTypes = (engine: EngineId): readonly AttachmentType[] =>
  engine === 'openai' || engine === 'gemini' ? ACCEPTED[engine].filter((t) => t.startsWith('image/')) : [];

const TYPE_NAMES: Record<AttachmentType, string> = {
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
  'application/pdf': 'PDF',
};

/** "PNG, JPEG, WebP and GIF images and PDFs", as the panel and the messages say what an engine takes. */
export function acceptedText(engine: EngineId, types: readonly AttachmentType[] = ACCEPTED[engine]): string {
  const images = types.filter((t) => t.startsWith('image/')).map((t) => TYPE_NAMES[t]);
  const list = images.length > 1 ? `${images.slice(0, -1).join(', ')} and ${images.at(-1)!}` : (images[0] ?? '');
  const pdfs = types.includes('application/pdf');
  if (images.length === 0) return pdfs ? 'PDFs' : 'no files';
  return `${list} images${pdfs ? ' and PDFs' : ''}`;
}

/** A size as a person reads it: "24.1 MB", "850 KB". */
export function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** A file's type from its first bytes (a name or a server's word can be wrong): one Inkling sends, or undefined. */
export function sniffType(bytes: Uint8Array): AttachmentType | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (
    starts(0x52, 0x49, 0x46, 0x46) &&
    bytes[8] === 0x57 &&
    bytes[9] === 0x45 &&
    bytes[10] === 0x42 &&
    bytes[11] === 0x50
  )
    return 'image/webp';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return undefined;
}

/** base64 of bytes, a chunk at a time (one call per byte would overflow the stack on a large file). */
export function toBase64(bytes: Uint8Array): string {
  // The built-in where the browser has it (newer Chrome and Firefox); the same result either way.
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
