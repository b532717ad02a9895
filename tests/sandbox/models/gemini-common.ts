// Gemini's model catalogue and its error answers, worded as generativelanguage.googleapis.com words them
// ({error:{code,message,status,details}}), shared by the request handlers (gemini.ts, gemini-media.ts).
import type { ModelFault } from './script.ts';
export interface GeminiModel {
  id: string;
  displayName: string;
  description: string;
  version: string;
  inputTokenLimit: number;
  outputTokenLimit: number;
  supportedGenerationMethods: string[];
  thinking: boolean;
}

const TEXT_METHODS = ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'];

export const GEMINI_MODELS: GeminiModel[] = [
  {
    id: 'gemini-3.8-flash',
    displayName: 'Gemini 3.8 Flash',
    description: 'Fast, balanced multimodal model for everyday tasks.',
    version: '3.8',
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: TEXT_METHODS,
    thinking: true,
  },
  {
    id: 'gemini-3.5-flash-lite',
    displayName: 'Gemini 3.5 Flash-Lite',
    description: 'Smallest and most cost-efficient model, built for high-volume use.',
    version: '3.5',
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: TEXT_METHODS,
    thinking: true,
  },
  {
    id: 'gemini-3.1-pro-preview',
    displayName: 'Gemini 3.1 Pro Preview',
    description: 'Most capable model for complex reasoning and coding.',
    version: '3.1-preview',
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: TEXT_METHODS,
    thinking: true,
  },
  {
    // Listed by the real API too: clients must filter on supportedGenerationMethods.
    id: 'gemini-embedding-001',
    displayName: 'Gemini Embedding 001',
    description: 'Obtain a distributed representation of a text.',
    version: '001',
    inputTokenLimit: 2_048,
    outputTokenLimit: 1,
    supportedGenerationMethods: ['embedContent', 'countTextTokens', 'countTokens', 'asyncBatchEmbedContent'],
    thinking: false,
  },
];

/** The RetryInfo delay Google attaches to 429s. */
export const GEMINI_RETRY_DELAY = '7s';
const FREE_TIER_REQUESTS_PER_MINUTE = 10;
const FREE_TIER_REQUESTS_PER_DAY = 250;

/** Safety ratings on a blocked answer: one category is over the threshold. */
export const SAFETY_RATINGS_BLOCKED = [
  { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HARASSMENT', probability: 'MEDIUM', blocked: true },
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'NEGLIGIBLE' },
];

export interface GeminiErrorReply {
  status: number;
  body: unknown;
}

export function googleError(code: number, status: string, message: string, details?: unknown[]): GeminiErrorReply {
  return { status: code, body: { error: { code, message, status, ...(details ? { details } : {}) } } };
}

export const API_KEY_INVALID = googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
  {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'API_KEY_INVALID',
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  },
  {
    '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
    locale: 'en-US',
    message: 'API key not valid. Please pass a valid API key.',
  },
]);

export const NO_KEY = googleError(
  403,
  'PERMISSION_DENIED',
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
);

export function rateLimited(model: string, perDay: boolean): GeminiErrorReply {
  const metric = 'generate_content_free_tier_requests';
  const quotaId = perDay
    ? 'GenerateRequestsPerDayPerProjectPerModel-FreeTier'
    : 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier';
  const limit = perDay ? FREE_TIER_REQUESTS_PER_DAY : FREE_TIER_REQUESTS_PER_MINUTE;
  return googleError(
    429,
    'RESOURCE_EXHAUSTED',
    `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. \n* Quota exceeded for metric: generativelanguage.googleapis.com/${metric}, limit: ${limit}, model: ${model}\nPlease retry in ${GEMINI_RETRY_DELAY}.`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: `generativelanguage.googleapis.com/${metric}`,
            quotaId,
            quotaDimensions: { location: 'global', model },
            quotaValue: String(limit),
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [
          {
            description: 'Learn more about Gemini API quotas',
            url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: GEMINI_RETRY_DELAY },
    ],
  );
}

export function modelNotFound(model: string, apiVersion: string, method: string): GeminiErrorReply {
  return googleError(
    404,
    'NOT_FOUND',
    `models/${model} is not found for API version ${apiVersion}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
  );
}

export function contextTooLong(inputTokens: number, limit: number): GeminiErrorReply {
  return googleError(
    400,
    'INVALID_ARGUMENT',
    `The input token count (${Math.max(inputTokens, limit + 1)}) exceeds the maximum number of tokens allowed (${limit}).`,
  );
}

export function faultReply(
  fault: Exclude<ModelFault, 'safety' | 'prompt_blocked' | 'drop'>,
  model: string,
  apiVersion: string,
  method: string,
  inputTokens: number,
  limit: number,
): GeminiErrorReply {
  switch (fault) {
    case 'unauthorized':
      return googleError(403, 'PERMISSION_DENIED', 'Your API key was reported as leaked. Please use another API key.');
    case 'invalid_key':
      return API_KEY_INVALID;
    case 'rate_limited':
      return rateLimited(model, false);
    case 'quota_exhausted':
      return rateLimited(model, true);
    case 'server_error':
      return googleError(
        500,
        'INTERNAL',
        'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      );
    case 'overloaded':
      return googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    case 'model_not_found':
      return modelNotFound(model, apiVersion, method);
    case 'context_length':
      return contextTooLong(inputTokens, limit);
  }
}
