// The bodies of requests to OpenAI (and OpenAI-compatible servers): a Chat Completions request and the
// Responses API's input, as a call sends them and as a batch's line carries them.
import type OpenAI from 'openai';
import type { Attachment } from '../shared/attachments';
import type { GenerateRequest } from './types';

const dataUrl = (a: Attachment) => `data:${a.mimeType};base64,${a.data}`;

/** The user turn for Chat Completions: the prompt, then each image (image_url) or PDF (file) as a data URL. */
function chatContent(request: GenerateRequest): OpenAI.Chat.ChatCompletionUserMessageParam['content'] {
  if (!request.attachments?.length) return request.prompt;
  return [
    { type: 'text', text: request.prompt },
    ...request.attachments.map((a): OpenAI.Chat.ChatCompletionContentPart =>
      a.mimeType === 'application/pdf'
        ? { type: 'file', file: { filename: a.name, file_data: dataUrl(a) } }
        : { type: 'image_url', image_url: { url: dataUrl(a) } },
    ),
  ];
}

/** A Chat Completions request for `request`, without streaming: as sent, and as a batch's line carries it. */
export function chatBody(request: GenerateRequest, model: string): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  messages.push({ role: 'user', content: chatContent(request) });
  return {
    model,
    messages,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxOutputTokens ? { max_completion_tokens: request.maxOutputTokens } : {}),
    ...(request.schema
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'answer', schema: request.schema, strict: true },
          },
        }
      : {}),
  };
}

/** The same for the Responses API: input_text, input_image and input_file parts. */
export function responsesInput(request: GenerateRequest): OpenAI.Responses.ResponseCreateParams['input'] {
  if (!request.attachments?.length) return request.prompt;
  return [
    {
      role: 'user',
      content: [
        { type: 'input_text', text: request.prompt },
        ...request.attachments.map((a): OpenAI.Responses.ResponseInputContent =>
          a.mimeType === 'application/pdf'
            ? { type: 'input_file', filename: a.name, file_data: dataUrl(a) }
            : { type: 'input_image', image_url: dataUrl(a), detail: 'auto' },
        ),
      ],
    },
  ];
}
