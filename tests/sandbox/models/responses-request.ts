// What a POST /v1/responses body asks for: its prompt (instructions and input), the tools it offers and the
// text.format of the answer, checked as api.openai.com checks them.
import { strictSchemaProblem } from './schema.ts';
import type { OutputFormat, PromptText } from './script.ts';
import { openaiError, promptFromMessages } from './openai-common.ts';
import type { ErrorReply, OpenAIFlavor } from './openai-common.ts';

export interface ResponsesRequest {
  model: string;
  input: string | unknown[];
  instructions?: string | null;
  stream?: boolean;
  max_output_tokens?: number | null;
  text?: { format?: { type?: string; name?: string; schema?: unknown; strict?: boolean } } | null;
  tools?: unknown;
  include?: unknown;
}

/** The hosted web search tool's names: current, dated snapshot, and the older preview. */
export const WEB_SEARCH_TOOLS = new Set([
  'web_search',
  'web_search_2025_08_26',
  'web_search_preview',
  'web_search_preview_2025_03_11',
]);

/** The `type` of each tool the request offers; undefined without tools. */
export function toolTypes(tools: unknown): string[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools.map((tool: { type?: unknown } | null) => String(tool?.type));
}

export function promptFromInput(body: Partial<ResponsesRequest>): PromptText {
  const instructions = typeof body.instructions === 'string' ? body.instructions : undefined;
  if (typeof body.input === 'string') {
    return { system: instructions ?? '', user: body.input, all: [instructions, body.input].filter(Boolean).join('\n') };
  }
  return promptFromMessages(Array.isArray(body.input) ? body.input : [], instructions);
}

export function responsesFormat(
  flavor: OpenAIFlavor,
  body: Partial<ResponsesRequest>,
  prompt: PromptText,
): { format: OutputFormat; schema?: unknown; problem?: ErrorReply } {
  const f = body.text?.format;
  if (!f || f.type === 'text' || f.type === undefined) return { format: { kind: 'text' } };
  if (f.type === 'json_object') {
    if (flavor === 'openai' && !/json/i.test(prompt.all)) {
      return {
        format: { kind: 'text' },
        problem: openaiError(
          400,
          "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'.",
          'invalid_request_error',
          'input',
          null,
        ),
      };
    }
    return { format: { kind: 'json', dialect: 'json-schema' }, schema: {} };
  }
  if (f.type === 'json_schema') {
    const schema = f.schema ?? {};
    if (flavor === 'openai' && typeof f.name !== 'string') {
      return {
        format: { kind: 'text' },
        problem: openaiError(
          400,
          "Missing required parameter: 'text.format.name'.",
          'invalid_request_error',
          'text.format.name',
          'missing_required_parameter',
        ),
      };
    }
    const problem = flavor === 'openai' && f.strict === true ? strictSchemaProblem(schema, f.name ?? '') : undefined;
    if (problem)
      return {
        format: { kind: 'text' },
        problem: openaiError(
          400,
          problem.replace('response_format', 'text.format'),
          'invalid_request_error',
          'text.format.schema',
          'invalid_json_schema',
        ),
      };
    return { format: { kind: 'json', schema, dialect: 'json-schema' }, schema };
  }
  return {
    format: { kind: 'text' },
    problem: openaiError(
      400,
      `Invalid value: '${String(f.type)}'. Supported values are: 'text', 'json_object', and 'json_schema'.`,
      'invalid_request_error',
      'text.format.type',
      'invalid_value',
    ),
  };
}
