// Images and PDFs sent to the model emulators through the real SDKs (openai 7.57.0, @google/genai 3.1.0), in
// each provider's own request shapes: what calls[].attachments records, what usage charges, how the default
// answer acknowledges them, and each provider's refusals (bad image, wrong type, over a size limit).
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI, { BadRequestError, InternalServerError } from 'openai';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNotionHarness } from '../notion/harness.ts';
import { FIXTURES } from '../notion/index.ts';
import { serveHandler as serve, type Served } from '../serve.ts';
import {
  bigPng,
  SAMPLE_GIF,
  SAMPLE_JPEG,
  SAMPLE_PDF,
  SAMPLE_PNG,
  SAMPLE_WEBP,
  samplePdf,
} from '../notion/sample-files.ts';
import { ModelApis } from './index.ts';

/** The emulators' token rule, restated independently: ceil(code points / 4). */
const tokens = (text: string) => Math.ceil(Array.from(text).length / 4);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const dataUrl = (mime: string, bytes: Uint8Array) => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const MB = 1024 * 1024;

const apis = new ModelApis({ timeToFirstTokenMs: 0, tokensPerSecond: 0 });
let servers: Served[] = [];
let openai: OpenAI;
let compat: OpenAI;
let gemini: GoogleGenAI;
let geminiUrl: string;

beforeAll(async () => {
  const openaiServer = await serve(
    (q, s) => apis.handleOpenAI(q, s),
    () => 'https://api.openai.com',
  );
  const geminiServer = await serve(
    (q, s) => apis.handleGemini(q, s),
    () => 'https://generativelanguage.googleapis.com',
  );
  const compatServer = await serve(
    (q, s) => apis.handleCompatible(q, s),
    (port) => `http://127.0.0.1:${port}`,
  );
  servers = [openaiServer, geminiServer, compatServer];
  openai = new OpenAI({ apiKey: apis.keys.openai, baseURL: `${openaiServer.url}/v1`, maxRetries: 0 });
  compat = new OpenAI({ apiKey: 'ollama', baseURL: `${compatServer.url}/v1`, maxRetries: 0 });
  geminiUrl = geminiServer.url;
  gemini = new GoogleGenAI({ apiKey: apis.keys.gemini, httpOptions: { baseUrl: geminiUrl } });
});
afterAll(() => Promise.all(servers.map((s) => s.close())));
beforeEach(() => apis.reset());

/** A chat call with one user message of a text part and the given parts after it. */
function chat(
  client: OpenAI,
  parts: OpenAI.Chat.ChatCompletionContentPart[],
  model = 'gpt-5.5-mini',
  text = 'Describe this',
) {
  return client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: [{ type: 'text', text }, ...parts] }],
  });
}
const image = (url: string, detail?: 'low' | 'high' | 'auto'): OpenAI.Chat.ChatCompletionContentPart => ({
  type: 'image_url',
  image_url: { url, ...(detail ? { detail } : {}) },
});
const pdf = (filename: string, bytes: Uint8Array): OpenAI.Chat.ChatCompletionContentPart => ({
  type: 'file',
  file: { filename, file_data: dataUrl('application/pdf', bytes) },
});

async function refusal<T>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

/** A packed prompt's row block (see script.ts). */
const rowBlock = (id: string, topic: string) => ({
  type: 'text' as const,
  text: `<row id="${id}">\nTopic: ${topic}\n</row>`,
});

/** A Responses call with one user message: a text part, then `part`. */
const input = (part: Record<string, unknown>) =>
  openai.responses.create({
    model: 'gpt-5.5-mini',
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'x' }, part as never] }],
  });

/** A Gemini call with one user turn: a text part, then `parts`. */
const ask = (parts: Array<Record<string, unknown>>) =>
  gemini.models.generateContent({
    model: 'gemini-3.8-flash',
    contents: [{ role: 'user', parts: [{ text: 'Describe this' }, ...parts] }],
  });

/** A Gemini refusal: 400 INVALID_ARGUMENT with exactly this message. */
async function expectGoogle(promise: Promise<unknown>, message: string): Promise<void> {
  const error = await refusal(promise, ApiError);
  expect(error.status).toBe(400);
  expect(JSON.parse(error.message)).toEqual({ error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
}

describe('OpenAI Chat Completions with images and PDFs', () => {
  it('records an image part, charges it and says it arrived', async () => {
    const done = await chat(openai, [image(dataUrl('image/png', SAMPLE_PNG))]);
    expect(done.choices[0]?.message.content).toBe('Answer: Describe this (with 1 image)');
    // A 2×2 image is one 512-px tile: 85 + 170.
    expect(done.usage?.prompt_tokens).toBe(tokens('Describe this') + 255);
    expect(apis.calls[0]?.attachments).toEqual([
      { kind: 'image', mimeType: 'image/png', bytes: SAMPLE_PNG.length, sha256: sha256(SAMPLE_PNG) },
    ]);
    expect(apis.calls[0]?.inputTokens).toBe(done.usage?.prompt_tokens);
  });

  it('takes jpeg, gif and webp, reads the size for the tile count, and charges 85 at low detail', async () => {
    const done = await chat(openai, [
      image(dataUrl('image/jpeg', SAMPLE_JPEG), 'low'),
      image(dataUrl('image/gif', SAMPLE_GIF)),
      image(dataUrl('image/webp', SAMPLE_WEBP)),
      // 3000×1000 fits into 2048×683, whose shorter side is under 768 already: 4×2 tiles.
      image(dataUrl('image/png', Buffer.from(pngOfSize(3000, 1000)))),
    ]);
    expect(done.choices[0]?.message.content).toBe('Answer: Describe this (with 4 images)');
    expect(done.usage?.prompt_tokens).toBe(tokens('Describe this') + 85 + 255 + 255 + (85 + 170 * 8));
    expect(apis.calls[0]?.attachments.map((a) => a.mimeType)).toEqual([
      'image/jpeg',
      'image/gif',
      'image/webp',
      'image/png',
    ]);
  });

  it('records a PDF file part by name and charges it per page', async () => {
    const report = samplePdf('Quarterly report', 2);
    const done = await chat(openai, [pdf('report.pdf', report)]);
    expect(done.choices[0]?.message.content).toBe('Answer: Describe this (with 1 file: report.pdf)');
    expect(done.usage?.prompt_tokens).toBe(tokens('Describe this') + 2 * 765);
    expect(apis.calls[0]?.attachments).toEqual([
      { kind: 'file', mimeType: 'application/pdf', bytes: report.length, sha256: sha256(report), name: 'report.pdf' },
    ]);
  });

  it('records no attachments for a text-only call, whose answer is unchanged', async () => {
    const done = await chat(openai, []);
    expect(done.choices[0]?.message.content).toBe('Answer: Describe this');
    expect(apis.calls[0]?.attachments).toEqual([]);
  });

  it('refuses bytes that are no image, and formats it does not take, by what the bytes are', async () => {
    const garbage = await refusal(
      chat(openai, [image(dataUrl('image/png', Buffer.from('not an image')))]),
      BadRequestError,
    );
    expect(garbage.status).toBe(400);
    expect(garbage.error).toEqual({
      message: 'You uploaded an unsupported image. Please make sure your image is valid.',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_image',
    });
    const bmp = Buffer.concat([Buffer.from('BM'), Buffer.alloc(64)]);
    const wrong = await refusal(chat(openai, [image(dataUrl('image/png', bmp))]), BadRequestError);
    expect(wrong.code).toBe('invalid_image_format');
    expect(wrong.message).toContain(
      "Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].",
    );
    const animated = Buffer.concat([Buffer.from(SAMPLE_GIF), Buffer.from('NETSCAPE2.0')]);
    expect((await refusal(chat(openai, [image(dataUrl('image/gif', animated))]), BadRequestError)).code).toBe(
      'invalid_image_format',
    );
    expect(apis.calls.map((c) => c.status)).toEqual([400, 400, 400]);
    expect(apis.calls[0]?.attachments).toEqual([]);
  });

  it('refuses a PDF sent as an image, an image sent as a file, and a remote URL it cannot download', async () => {
    const asImage = await refusal(chat(openai, [image(dataUrl('application/pdf', SAMPLE_PDF))]), BadRequestError);
    expect(asImage.error).toMatchObject({
      message:
        "Invalid 'messages[0].content[1].image_url.url'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got unsupported MIME type 'application/pdf'.",
      param: 'messages[0].content[1].image_url.url',
      code: 'invalid_value',
    });
    const asFile = await refusal(
      chat(openai, [{ type: 'file', file: { filename: 'photo.png', file_data: dataUrl('image/png', SAMPLE_PNG) } }]),
      BadRequestError,
    );
    expect(asFile.param).toBe('messages[0].content[1].file.file_data');
    const notPdf = await refusal(chat(openai, [pdf('fake.pdf', Buffer.from('hello'))]), BadRequestError);
    expect(notPdf.message).toContain("the file 'fake.pdf' is not a valid PDF");
    const remote = await refusal(chat(openai, [image('https://example.org/a.png')]), BadRequestError);
    expect(remote.code).toBe('invalid_image_url');
  });

  it('refuses an image outside a user message, and a content part of another API', async () => {
    const system = await refusal(
      openai.chat.completions.create({
        model: 'gpt-5.5-mini',
        messages: [
          // The SDK's types allow only text here; the service says why.
          { role: 'system', content: [image(dataUrl('image/png', SAMPLE_PNG))] as never },
          { role: 'user', content: 'hi' },
        ],
      }),
      BadRequestError,
    );
    expect(system.message).toContain("Image URLs are only allowed for messages with role 'user'");
    const wrongApi = await refusal(chat(openai, [{ type: 'input_image', image_url: 'x' } as never]), BadRequestError);
    expect(wrongApi.error).toMatchObject({ param: 'messages[0].content[1].type', code: 'invalid_value' });
  });

  // Tens of megabytes through the SDK and JSON take a few seconds each.
  const BIG = 30_000;

  it('refuses an image over 20 MB', { timeout: BIG }, async () => {
    const big = await refusal(chat(openai, [image(dataUrl('image/png', bigPng(20 * MB + 1)))]), BadRequestError);
    expect(big.code).toBe('image_too_large');
    expect(big.message).toContain('Please make sure your image is below 20 MB in size');
  });

  it('refuses a PDF over 32 MB', { timeout: BIG }, async () => {
    const bigPdf = Buffer.concat([Buffer.from(SAMPLE_PDF), Buffer.alloc(32 * MB)]);
    const tooLong = await refusal(chat(openai, [pdf('big.pdf', bigPdf)]), BadRequestError);
    expect(tooLong.code).toBe('string_above_max_length');
    expect(tooLong.param).toBe('messages[0].content[1].file.file_data');
  });

  it('refuses a request over 50 MB in all', { timeout: BIG }, async () => {
    const nineteen = image(dataUrl('image/png', bigPng(19 * MB)));
    const request = await refusal(chat(openai, [nineteen, nineteen]), BadRequestError);
    expect(request.code).toBe('request_too_large');
    expect(request.message).toContain('50 MB');
  });

  it('tells each packed row of the images that came after its block', async () => {
    const done = await openai.chat.completions.create({
      model: 'gpt-5.5-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '<instruction>\nDescribe {{Topic}}\n</instruction>' },
            rowBlock('r1', 'Tea'),
            image(dataUrl('image/png', SAMPLE_PNG)),
            rowBlock('r2', 'Rain'),
          ],
        },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'rows',
          strict: true,
          schema: {
            type: 'object',
            additionalProperties: false,
            required: ['r1', 'r2'],
            properties: { r1: { type: 'string' }, r2: { type: 'string' } },
          },
        },
      },
    });
    expect(JSON.parse(done.choices[0]?.message.content ?? '')).toEqual({
      r1: 'Answer: Describe Tea (with 1 image)',
      r2: 'Answer: Describe Rain',
    });
  });
});

describe('OpenAI Responses with input_image and input_file', () => {
  it('records both, charges them and says they arrived', async () => {
    const done = await openai.responses.create({
      model: 'gpt-5.5-mini',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Compare these' },
            { type: 'input_image', image_url: dataUrl('image/png', SAMPLE_PNG), detail: 'auto' },
            { type: 'input_file', filename: 'brief.pdf', file_data: dataUrl('application/pdf', SAMPLE_PDF) },
          ],
        },
      ],
    });
    expect(done.output_text).toBe('Answer: Compare these (with 1 image and 1 file: brief.pdf)');
    expect(done.usage?.input_tokens).toBe(tokens('Compare these') + 255 + 765);
    expect(apis.calls[0]?.attachments.map((a) => [a.kind, a.mimeType, a.name])).toEqual([
      ['image', 'image/png', undefined],
      ['file', 'application/pdf', 'brief.pdf'],
    ]);
  });

  it('refuses a bad image and an unknown detail', async () => {
    const bad = await refusal(
      input({ type: 'input_image', image_url: dataUrl('image/jpeg', Buffer.from('??')), detail: 'auto' }),
      BadRequestError,
    );
    expect(bad.code).toBe('invalid_image');
    const detail = await refusal(
      input({ type: 'input_image', image_url: dataUrl('image/png', SAMPLE_PNG), detail: 'max' }),
      BadRequestError,
    );
    expect(detail.error).toMatchObject({ param: 'input[0].content[1].detail', code: 'invalid_value' });
  });
});

describe('the OpenAI-compatible (Ollama-style) server', () => {
  it('takes a base64 image on a vision model', async () => {
    const done = await chat(compat, [image(dataUrl('image/png', SAMPLE_PNG))], 'gemma3:4b');
    expect(done.choices[0]?.message.content).toBe('Answer: Describe this (with 1 image)');
    expect(done.usage?.prompt_tokens).toBe(tokens('Describe this') + 256);
    expect(apis.calls[0]?.attachments).toHaveLength(1);
  });

  it('answers an image sent to a text-only model with Ollama’s 500', async () => {
    const error = await refusal(
      chat(compat, [image(dataUrl('image/png', SAMPLE_PNG))], 'llama3.2'),
      InternalServerError,
    );
    expect(error.error).toEqual({
      message: 'this model is missing data required for image input',
      type: 'api_error',
      param: null,
      code: null,
    });
  });

  it('refuses file parts, remote images and other image types as Ollama’s OpenAI layer does', async () => {
    const file = await refusal(chat(compat, [pdf('a.pdf', SAMPLE_PDF)], 'gemma3:4b'), BadRequestError);
    expect(file.error).toEqual({
      message: 'invalid message format',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    const remote = await refusal(chat(compat, [image('https://example.org/a.png')], 'gemma3:4b'), BadRequestError);
    expect(remote.message).toContain('image URLs are not currently supported, please use base64 encoded data instead');
    const gif = await refusal(chat(compat, [image(dataUrl('image/gif', SAMPLE_GIF))], 'gemma3:4b'), BadRequestError);
    expect(gif.message).toContain('invalid image input');
  });
});

describe('Gemini with inline images and documents', () => {
  it('records an inlineData image, charges 258 and reports the modality', async () => {
    const done = await ask([{ inlineData: { mimeType: 'image/png', data: b64(SAMPLE_PNG) } }]);
    expect(done.text).toBe('Answer: Describe this (with 1 image)');
    expect(done.usageMetadata?.promptTokenCount).toBe(tokens('Describe this') + 258);
    expect(done.usageMetadata?.promptTokensDetails).toEqual([
      { modality: 'TEXT', tokenCount: tokens('Describe this') },
      { modality: 'IMAGE', tokenCount: 258 },
    ]);
    expect(apis.calls[0]?.attachments).toEqual([
      { kind: 'image', mimeType: 'image/png', bytes: SAMPLE_PNG.length, sha256: sha256(SAMPLE_PNG) },
    ]);
  });

  it('takes a PDF as a document, 258 tokens a page, and the REST API’s snake case', async () => {
    const res = await fetch(`${geminiUrl}/v1beta/models/gemini-3.8-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': apis.keys.gemini },
      body: JSON.stringify({
        contents: [
          {
            role: 'user',
            parts: [
              { text: 'Summarise' },
              { inline_data: { mime_type: 'application/pdf', data: b64(samplePdf('x', 3)) } },
            ],
          },
        ],
      }),
    });
    const body = (await res.json()) as { usageMetadata: { promptTokensDetails: unknown[] } };
    expect(res.status).toBe(200);
    expect(body.usageMetadata.promptTokensDetails).toContainEqual({ modality: 'DOCUMENT', tokenCount: 3 * 258 });
    expect(apis.calls[0]?.attachments[0]).toMatchObject({ kind: 'file', mimeType: 'application/pdf' });
  });

  it('counts image tokens in countTokens too', async () => {
    const counted = await gemini.models.countTokens({
      model: 'gemini-3.8-flash',
      contents: [
        {
          role: 'user',
          parts: [{ text: 'Describe this' }, { inlineData: { mimeType: 'image/webp', data: b64(SAMPLE_WEBP) } }],
        },
      ],
    });
    expect(counted.totalTokens).toBe(tokens('Describe this') + 258);
  });

  it(
    'refuses a type it does not take, bytes that are not the image, and a request over 20 MB',
    { timeout: 30_000 },
    async () => {
      await expectGoogle(
        ask([{ inlineData: { mimeType: 'image/gif', data: b64(SAMPLE_GIF) } }]),
        'Unsupported MIME type: image/gif',
      );
      await expectGoogle(
        ask([{ inlineData: { mimeType: 'image/png', data: b64(Buffer.from('not an image')) } }]),
        'Provided image is not valid.',
      );
      await expectGoogle(
        ask([{ inlineData: { mimeType: 'application/pdf', data: b64(Buffer.from('hello')) } }]),
        'The document has no pages.',
      );
      await expectGoogle(
        ask([{ inlineData: { mimeType: 'image/png', data: b64(bigPng(16 * MB)) } }]),
        'Request payload size exceeds the limit: 20971520 bytes.',
      );
      expect(apis.calls.map((c) => c.status)).toEqual([400, 400, 400, 400]);
    },
  );
});

describe('a Notion-hosted file on its way to a model', () => {
  it('arrives as the same bytes: the row’s sha256 is the attachment’s', async () => {
    const notion = await startNotionHarness();
    try {
      const row = FIXTURES.allTypesRowIds[FIXTURES.allTypesRowIds.length - 1] ?? '';
      const attached = notion.api.attachFile(row, 'Attachments', {
        name: 'photo.png',
        mimeType: 'image/png',
        bytes: SAMPLE_PNG,
      });
      const page = (await notion.client().pages.retrieve({ page_id: row })) as unknown as {
        properties: { Attachments: { files: Array<{ file: { url: string } }> } };
      };
      const download = await notion.fetchFile(page.properties.Attachments.files[0]?.file.url ?? '');
      const bytes = new Uint8Array(await download.arrayBuffer());
      await chat(openai, [image(dataUrl(download.headers.get('content-type') ?? '', bytes))]);
      expect(apis.calls[0]?.attachments).toEqual([
        { kind: 'image', mimeType: 'image/png', bytes: attached.bytes, sha256: attached.sha256 },
      ]);
    } finally {
      await notion.close();
    }
  });
});

/** A PNG header claiming a size (the emulators read only the header for the tile count). */
function pngOfSize(width: number, height: number): Uint8Array {
  const png = Buffer.from(SAMPLE_PNG);
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  return png;
}
