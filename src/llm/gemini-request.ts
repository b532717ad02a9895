// The body of a request to Gemini: its contents and config, as a call sends them and as a batch's
// inline request carries them.
import type { ContentListUnion, GenerateContentConfig } from '@google/genai';
import type { GenerateRequest } from './types';

/** The user turn: the prompt, then each image or PDF inline — as a call sends it, and a batch's request. */
export function geminiContents(request: GenerateRequest): ContentListUnion {
  if (!request.attachments?.length) return request.prompt;
  return [
    {
      role: 'user',
      parts: [
        { text: request.prompt },
        ...request.attachments.map((a) => ({ inlineData: { mimeType: a.mimeType, data: a.data } })),
      ],
    },
  ];
}

/** The instructions, limits and answer schema of a request. */
export function geminiConfig(request: GenerateRequest): GenerateContentConfig {
  return {
    ...(request.system ? { systemInstruction: request.system } : {}),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxOutputTokens ? { maxOutputTokens: request.maxOutputTokens } : {}),
    ...(request.schema ? { responseMimeType: 'application/json', responseJsonSchema: request.schema } : {}),
  };
}
