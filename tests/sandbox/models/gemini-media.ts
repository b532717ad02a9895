// Images and documents in a Gemini request: parts {inlineData: {mimeType, data}} (the REST API's snake case
// inline_data / mime_type too), with the refusals generativelanguage.googleapis.com gives: a request over
// 20 MB, a MIME type it does not take, bytes that are not base64 or not what their type says. Parts
// {fileData: {fileUri}} are refused: the Files API is not emulated and the sandbox fetches no URL.
import type { SandboxRequest } from '../http-util.ts';
import { googleError } from './gemini-common.ts';
import type { GeminiErrorReply } from './gemini-common.ts';
import { GEMINI_TILE_TOKENS, geminiImageTokens, isBase64, lastRowIn, pdfPages, received, sniff } from './media.ts';
import type { Received } from './media.ts';
import type { PromptText } from './script.ts';
import { countTokens } from './tokens.ts';

const MAX_REQUEST_BYTES = 20 * 1024 * 1024;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif']);
const DOCUMENT_TYPES = new Set(['application/pdf', 'text/plain']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (message: string): GeminiErrorReply => googleError(400, 'INVALID_ARGUMENT', message);

/** Google's front end refuses a body over 20 MB (inline data included) before anything else. */
export function payloadProblem(req: SandboxRequest): GeminiErrorReply | undefined {
  return req.body.length > MAX_REQUEST_BYTES
    ? invalid(`Request payload size exceeds the limit: ${MAX_REQUEST_BYTES} bytes.`)
    : undefined;
}

/** The inline images and documents of `contents`, in order, or the first refusal. */
export function geminiMedia(contents: unknown): { received: Received[]; problem?: GeminiErrorReply } {
  const out: Received[] = [];
  let row: string | undefined;
  for (const [i, content] of (Array.isArray(contents) ? contents : []).entries()) {
    const parts = isObj(content) && Array.isArray(content.parts) ? content.parts : [];
    for (const [j, part] of parts.entries()) {
      if (!isObj(part)) continue;
      if (typeof part.text === 'string') row = lastRowIn(part.text, row);
      const fileData = part.fileData ?? part.file_data;
      if (isObj(fileData)) return { received: out, problem: fileDataProblem(fileData) };
      const inline = part.inlineData ?? part.inline_data;
      if (!isObj(inline)) continue;
      const read = inlinePart(inline, `contents[${i}].parts[${j}].inline_data`);
      if ('problem' in read) return { received: out, problem: read.problem };
      out.push(received(read, read.tokens, row));
    }
  }
  return { received: out };
}

function fileDataProblem(fileData: Record<string, unknown>): GeminiErrorReply {
  const uri = String(fileData.fileUri ?? fileData.file_uri ?? '');
  const file = /\/files\/([^/?#]+)/.exec(uri)?.[1];
  if (uri.includes('generativelanguage.googleapis.com') && file)
    return googleError(
      403,
      'PERMISSION_DENIED',
      `You do not have permission to access the File ${file} or it may not exist.`,
    );
  return invalid('Cannot fetch content from the provided URL.');
}

type Inline =
  { kind: 'image' | 'file'; mimeType: string; data: Buffer; tokens: number } | { problem: GeminiErrorReply };

function inlinePart(inline: Record<string, unknown>, at: string): Inline {
  const mimeType = String(inline.mimeType ?? inline.mime_type ?? '').toLowerCase();
  const base64 = typeof inline.data === 'string' ? inline.data : '';
  if (!isBase64(base64)) {
    const shown = base64.length > 20 ? `${base64.slice(0, 20)}...` : base64;
    return { problem: invalid(`Invalid value at '${at}.data' (TYPE_BYTES), Base64 decoding failed for "${shown}"`) };
  }
  if (!IMAGE_TYPES.has(mimeType) && !DOCUMENT_TYPES.has(mimeType))
    return { problem: invalid(`Unsupported MIME type: ${mimeType}`) };
  const data = Buffer.from(base64, 'base64');
  if (mimeType === 'text/plain') return { kind: 'file', mimeType, data, tokens: countTokens(data.toString('utf8')) };
  const sniffed = sniff(data);
  if (mimeType === 'application/pdf') {
    if (sniffed.format !== 'pdf') return { problem: invalid('The document has no pages.') };
    return { kind: 'file', mimeType, data, tokens: GEMINI_TILE_TOKENS * pdfPages(data) };
  }
  // Gemini decodes what the bytes are, so a PNG sent as image/jpeg still works.
  if (!['png', 'jpeg', 'webp', 'heic', 'heif'].includes(sniffed.format ?? ''))
    return { problem: invalid('Provided image is not valid.') };
  return { kind: 'image', mimeType, data, tokens: geminiImageTokens(sniffed) };
}

/** usageMetadata.promptTokensDetails: text, images and documents each as a modality with its count. */
export function modalityDetails(prompt: PromptText): Array<{ modality: string; tokenCount: number }> {
  const media = prompt.attachments ?? [];
  const sum = (kind: 'image' | 'file') =>
    media.filter((a) => a.kind === kind).reduce((total, a) => total + a.tokens, 0);
  return [
    { modality: 'TEXT', tokenCount: countTokens(prompt.all) },
    ...(sum('image') > 0 ? [{ modality: 'IMAGE', tokenCount: sum('image') }] : []),
    ...(sum('file') > 0 ? [{ modality: 'DOCUMENT', tokenCount: sum('file') }] : []),
  ];
}
