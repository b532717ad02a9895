// The response_format of POST /v1/chat/completions: text, JSON mode or a JSON schema, checked as strictly as
// api.openai.com checks it (a compatible server takes what it is given).
import { strictSchemaProblem } from './schema.ts';
import type { OutputFormat, PromptText } from './script.ts';
import { openaiError } from './openai-common.ts';
import type { ErrorReply, OpenAIFlavor } from './openai-common.ts';

const JSON_SCHEMA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export interface ChatFormat {
  format: OutputFormat;
  /** Logged in calls[].schema. */
  schema?: unknown;
  problem?: ErrorReply;
}

/** Reads `response_format` and, for api.openai.com, validates it as strictly as the service does. */
export function chatFormat(flavor: OpenAIFlavor, body: Record<string, unknown>, prompt: PromptText): ChatFormat {
  const rf = body.response_format as
    { type?: unknown; json_schema?: { name?: unknown; schema?: unknown; strict?: unknown } } | undefined | null;
  if (!rf || rf.type === 'text' || rf.type === undefined) return { format: { kind: 'text' } };
  const strictChecks = flavor === 'openai';
  if (rf.type === 'json_object') {
    // The service refuses JSON mode unless the prompt itself asks for JSON.
    if (strictChecks && !/json/i.test(prompt.all)) {
      return {
        format: { kind: 'text' },
        problem: openaiError(
          400,
          "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
          'invalid_request_error',
          'messages',
          null,
        ),
      };
    }
    return { format: { kind: 'json', dialect: 'json-schema' }, schema: {} };
  }
  if (rf.type === 'json_schema') {
    const js = rf.json_schema;
    if (!js || typeof js !== 'object') {
      return {
        format: { kind: 'text' },
        problem: openaiError(
          400,
          "Missing required parameter: 'response_format.json_schema'.",
          'invalid_request_error',
          'response_format.json_schema',
          'missing_required_parameter',
        ),
      };
    }
    const schema = js.schema ?? {};
    if (strictChecks) {
      if (typeof js.name !== 'string') {
        return {
          format: { kind: 'text' },
          problem: openaiError(
            400,
            "Missing required parameter: 'response_format.json_schema.name'.",
            'invalid_request_error',
            'response_format.json_schema.name',
            'missing_required_parameter',
          ),
        };
      }
      if (!JSON_SCHEMA_NAME.test(js.name)) {
        return {
          format: { kind: 'text' },
          problem: openaiError(
            400,
            "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
            'invalid_request_error',
            'response_format.json_schema.name',
            'invalid_value',
          ),
        };
      }
      const problem = js.strict === true ? strictSchemaProblem(schema, js.name) : undefined;
      if (problem)
        return {
          format: { kind: 'text' },
          problem: openaiError(400, problem, 'invalid_request_error', 'response_format', null),
        };
    }
    return { format: { kind: 'json', schema, dialect: 'json-schema' }, schema };
  }
  return {
    format: { kind: 'text' },
    problem: openaiError(
      400,
      `Invalid value: '${String(rf.type)}'. Supported values are: 'json_object', 'json_schema', and 'text'.`,
      'invalid_request_error',
      'response_format.type',
      'invalid_value',
    ),
  };
}
