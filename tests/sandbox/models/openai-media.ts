// Images and PDFs in OpenAI requests, and the refusals the services give for them.
//   Chat Completions: a user message's content parts {type:'image_url', image_url:{url, detail?}} and
//                     {type:'file', file:{filename, file_data}} (data URLs: the sandbox fetches nothing).
//   Responses:        {type:'input_image', image_url, detail?} and {type:'input_file', filename, file_data}.
// api.openai.com takes png, jpeg, gif (one frame) and webp images up to 20 MB each, PDFs up to 32 MB each,
// and 50 MB in all; what the bytes are is read from them, not from the declared type. An Ollama-style
// compatible server takes base64 images only (jpeg, png, webp), refuses every file part as Ollama's
// OpenAI layer does, and answers an image sent to a model without vision with Ollama's 500.
import type { SandboxRequest } from '../http-util.ts';
import {
  COMPATIBLE_IMAGE_TOKENS,
  OPENAI_PDF_PAGE_TOKENS,
  isBase64,
  lastRowIn,
  openaiImageTokens,
  parseDataUrl,
  pdfPages,
  received,
  sniff,
} from './media.ts';
import type { Received } from './media.ts';
import { openaiError } from './openai-common.ts';
import type { ErrorReply, OpenAIFlavor } from './openai-common.ts';

const MB = 1024 * 1024;
const MAX_IMAGE_BYTES = 20 * MB;
const MAX_FILE_BYTES = 32 * MB;
const MAX_REQUEST_BYTES = 50 * MB;
const OPENAI_IMAGE_FORMATS = ['png', 'jpeg', 'gif', 'webp'];
const OPENAI_IMAGE_MIME = /^image\/(png|jpeg|jpg|gif|webp)$/;
const OLLAMA_IMAGE_PREFIX = /^data:(?:image\/(?:jpeg|jpg|png|webp))?;base64,/;
/** The models of COMPATIBLE_MODELS that can see images (llama3.2 3B and qwen3 are text-only). */
const COMPATIBLE_VISION_MODELS = new Set(['gemma3:4b']);

type Api = 'chat' | 'responses';

export interface Media {
  received: Received[];
  problem?: ErrorReply;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (message: string, param: string | null, code: string | null = 'invalid_value'): ErrorReply =>
  openaiError(400, message, 'invalid_request_error', param, code);
/** Ollama's OpenAI layer answers every conversion error as a 400 with no param and no code. */
const ollama = (message: string): ErrorReply => openaiError(400, message, 'invalid_request_error', null, null);

/** api.openai.com refuses a body over 50 MB before reading it; a compatible server takes any size. */
export function payloadProblem(flavor: OpenAIFlavor, req: SandboxRequest): ErrorReply | undefined {
  if (flavor !== 'openai' || req.body.length <= MAX_REQUEST_BYTES) return undefined;
  return invalid(
    `Request too large: the request body is ${req.body.length} bytes, but a request can carry at most ${MAX_REQUEST_BYTES} bytes (50 MB) of input.`,
    null,
    'request_too_large',
  );
}

/** Ollama fails an image sent to a text-only model in the model runner, so it is a 500. */
export function visionProblem(flavor: OpenAIFlavor, model: string, media: Received[]): ErrorReply | undefined {
  if (flavor !== 'compatible' || COMPATIBLE_VISION_MODELS.has(model.includes(':') ? model : `${model}:latest`))
    return undefined;
  if (!media.some((m) => m.kind === 'image')) return undefined;
  return openaiError(500, 'this model is missing data required for image input', 'api_error', null, null);
}

/** The images and files of chat `messages` or a Responses `input` list, or the first refusal. */
export function openaiMedia(flavor: OpenAIFlavor, api: Api, items: unknown[]): Media {
  const out: Received[] = [];
  let row: string | undefined;
  for (const [i, item] of items.entries()) {
    if (!isObj(item)) continue;
    if (typeof item.content === 'string') row = lastRowIn(item.content, row);
    if (!Array.isArray(item.content) || item.role === 'assistant') continue;
    for (const [j, part] of item.content.entries()) {
      if (!isObj(part)) continue;
      if (typeof part.text === 'string') row = lastRowIn(part.text, row);
      const at = `${api === 'chat' ? 'messages' : 'input'}[${i}].content[${j}]`;
      const read = api === 'chat' ? chatPart(flavor, item.role, part, at, i) : responsesPart(flavor, part, at, i, j);
      if (read === undefined) continue;
      if ('problem' in read) return { received: out, problem: read.problem };
      out.push(received(read, read.tokens, row));
    }
  }
  return { received: out };
}

type Read = { kind: 'image' | 'file'; mimeType: string; data: Buffer; name?: string; tokens: number };
type PartResult = Read | { problem: ErrorReply } | undefined;

function chatPart(
  flavor: OpenAIFlavor,
  role: unknown,
  part: Record<string, unknown>,
  at: string,
  i: number,
): PartResult {
  switch (part.type) {
    case 'text':
    case 'input_audio':
    case 'refusal':
    case 'audio':
      return undefined;
    case 'image_url': {
      if (flavor === 'openai' && role !== 'user' && role !== undefined) {
        const message = `Invalid 'messages[${i}]'. Image URLs are only allowed for messages with role 'user', but this message with role '${String(role)}' contains an image URL.`;
        return { problem: invalid(message, `messages[${i}]`) };
      }
      const image = part.image_url;
      if (typeof image === 'string' && flavor === 'compatible') return imagePart(flavor, image, undefined, at, at);
      if (!isObj(image)) {
        const got = typeof image === 'string' ? 'a string' : 'something else';
        const message = `Invalid type for '${at}.image_url': expected an object, but got ${got} instead.`;
        return {
          problem:
            flavor === 'compatible'
              ? ollama('invalid message format')
              : invalid(message, `${at}.image_url`, 'invalid_type'),
        };
      }
      return imagePart(flavor, image.url, image.detail, `${at}.image_url.url`, `${at}.image_url.detail`);
    }
    case 'file': {
      if (flavor === 'compatible') return { problem: ollama('invalid message format') };
      const file = isObj(part.file) ? part.file : {};
      return filePart(file, `${at}.file`);
    }
    default: {
      if (flavor === 'compatible') return { problem: ollama('invalid message format') };
      const message = `Invalid value: '${String(part.type)}'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', 'audio', and 'file'.`;
      return { problem: invalid(message, `${at}.type`) };
    }
  }
}

function responsesPart(
  flavor: OpenAIFlavor,
  part: Record<string, unknown>,
  at: string,
  i: number,
  j: number,
): PartResult {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'refusal':
      return undefined;
    case 'input_image': {
      // Ollama skips an image given only by file id.
      if (flavor === 'compatible' && typeof part.image_url !== 'string') return undefined;
      if (typeof part.file_id === 'string') return { problem: noSuchFile(part.file_id, `${at}.file_id`) };
      if (typeof part.image_url !== 'string') {
        const message = `Invalid type for '${at}.image_url': expected a string, but got ${part.image_url === undefined ? 'nothing' : 'an object'} instead.`;
        return { problem: invalid(message, `${at}.image_url`, 'invalid_type') };
      }
      return imagePart(flavor, part.image_url, part.detail, `${at}.image_url`, `${at}.detail`);
    }
    case 'input_file':
      if (flavor === 'compatible')
        return { problem: ollama(`input[${i}]: content[${j}]: unknown content type: input_file`) };
      return filePart(part, at);
    default: {
      if (flavor === 'compatible')
        return { problem: ollama(`input[${i}]: content[${j}]: unknown content type: ${String(part.type)}`) };
      const message = `Invalid value: '${String(part.type)}'. Supported values are: 'input_text', 'input_image', and 'input_file'.`;
      return { problem: invalid(message, `${at}.type`) };
    }
  }
}

const noSuchFile = (id: string, param: string): ErrorReply => invalid(`No such File object: ${id}`, param, null);

function expectedDataUrl(path: string, mime: string, example: string, got: string): ErrorReply {
  return invalid(
    `Invalid '${path}'. Expected a base64-encoded data URL with ${mime} MIME type (e.g. '${example}'), but got ${got}.`,
    path,
  );
}

function imagePart(
  flavor: OpenAIFlavor,
  url: unknown,
  detail: unknown,
  urlPath: string,
  detailPath: string,
): PartResult {
  if (typeof url !== 'string') {
    if (flavor === 'compatible') return { problem: ollama('invalid message format') };
    return { problem: invalid(`Missing required parameter: '${urlPath}'.`, urlPath, 'missing_required_parameter') };
  }
  if (detail !== undefined && !['auto', 'low', 'high', 'original'].includes(String(detail)) && flavor === 'openai') {
    const message = `Invalid value: '${String(detail)}'. Supported values are: 'auto', 'low', 'high', and 'original'.`;
    return { problem: invalid(message, detailPath) };
  }
  if (/^https?:\/\//i.test(url)) {
    if (flavor === 'compatible')
      return { problem: ollama('image URLs are not currently supported, please use base64 encoded data instead') };
    // The service would download it; the sandbox reaches nothing outside, as if every download failed.
    return { problem: invalid(`Error while downloading ${url}.`, null, 'invalid_image_url') };
  }
  if (flavor === 'compatible') {
    const base64 = url.replace(OLLAMA_IMAGE_PREFIX, '');
    if (base64 === url || !isBase64(base64)) return { problem: ollama('invalid image input') };
    const data = Buffer.from(base64, 'base64');
    return { kind: 'image', mimeType: parseDataUrl(url)?.mimeType ?? '', data, tokens: COMPATIBLE_IMAGE_TOKENS };
  }
  const example = 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU=';
  const parsed = parseDataUrl(url);
  if (!parsed) return { problem: expectedDataUrl(urlPath, 'an image', example, "a value without the 'data:' prefix") };
  if (!OPENAI_IMAGE_MIME.test(parsed.mimeType))
    return {
      problem: expectedDataUrl(urlPath, 'an image', example, `unsupported MIME type '${parsed.mimeType}'`),
    };
  if (parsed.base64 === '')
    return { problem: expectedDataUrl(urlPath, 'an image', example, 'empty base64-encoded bytes') };
  if (!isBase64(parsed.base64))
    return { problem: expectedDataUrl(urlPath, 'an image', example, 'invalid base64-encoded bytes') };
  const data = Buffer.from(parsed.base64, 'base64');
  const formats = "['png', 'jpeg', 'gif', 'webp']";
  if (data.length > MAX_IMAGE_BYTES) {
    const message = `You uploaded an unsupported image. Please make sure your image is below 20 MB in size and is of one the following formats: ${formats}.`;
    return { problem: invalid(message, null, 'image_too_large') };
  }
  const sniffed = sniff(data);
  if (!sniffed.format)
    return {
      problem: invalid(
        'You uploaded an unsupported image. Please make sure your image is valid.',
        null,
        'invalid_image',
      ),
    };
  if (!OPENAI_IMAGE_FORMATS.includes(sniffed.format) || sniffed.animated) {
    const message = `You uploaded an unsupported image. Please make sure your image has of one the following formats: ${formats}.`;
    return { problem: invalid(message, null, 'invalid_image_format') };
  }
  const tokens = openaiImageTokens(sniffed, typeof detail === 'string' ? detail : undefined);
  return { kind: 'image', mimeType: parsed.mimeType, data, tokens };
}

/** A PDF given inline (`file_data` and `filename`), by a file id (never uploaded here) or a URL (never reached). */
function filePart(file: Record<string, unknown>, at: string): PartResult {
  if (typeof file.file_id === 'string') return { problem: noSuchFile(file.file_id, `${at}.file_id`) };
  if (typeof file.file_url === 'string')
    return { problem: invalid(`Error while downloading ${file.file_url}.`, null, 'invalid_file_url') };
  const dataPath = `${at}.file_data`;
  if (typeof file.file_data !== 'string')
    return { problem: invalid(`Missing required parameter: '${dataPath}'.`, dataPath, 'missing_required_parameter') };
  if (typeof file.filename !== 'string') {
    const param = `${at}.filename`;
    return { problem: invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter') };
  }
  const example = 'data:application/pdf;base64,SGVsbG8sIFdvcmxkIQ==';
  const parsed = parseDataUrl(file.file_data);
  const got = !parsed
    ? "a value without the 'data:' prefix"
    : parsed.mimeType !== 'application/pdf'
      ? `unsupported MIME type '${parsed.mimeType}'`
      : parsed.base64 === '' || !isBase64(parsed.base64)
        ? 'empty or invalid base64-encoded bytes'
        : undefined;
  if (!parsed || got !== undefined)
    return { problem: expectedDataUrl(dataPath, 'an application/pdf', example, got ?? '') };
  const data = Buffer.from(parsed.base64, 'base64');
  if (data.length > MAX_FILE_BYTES) {
    const limit = Math.ceil(MAX_FILE_BYTES / 3) * 4 + 'data:application/pdf;base64,'.length;
    const message = `Invalid '${dataPath}': string too long. Expected a string with maximum length ${limit}, but got a string with length ${file.file_data.length} instead.`;
    return { problem: invalid(message, dataPath, 'string_above_max_length') };
  }
  if (sniff(data).format !== 'pdf')
    return { problem: invalid(`Invalid '${dataPath}': the file '${file.filename}' is not a valid PDF.`, dataPath) };
  const tokens = OPENAI_PDF_PAGE_TOKENS * pdfPages(data);
  return { kind: 'file', mimeType: parsed.mimeType, data, name: file.filename, tokens };
}
