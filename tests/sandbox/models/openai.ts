// Routing for https://api.openai.com/v1 and for the OpenAI-compatible API a local server (Ollama,
// LM Studio) serves on http://127.0.0.1:PORT/v1, plus the model list endpoints.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { chatCompletions } from './chat.ts';
import { answerPreflight, corsHeaders, isPreflight } from './engine.ts';
import type { Engine } from './engine.ts';
import {
  COMPATIBLE_MODELS,
  OPENAI_MODELS,
  authProblem,
  findModel,
  openaiError,
  openaiHeaders,
  sendError,
} from './openai-common.ts';
import type { OpenAIFlavor, OpenAIModel } from './openai-common.ts';
import { handleResponses } from './responses.ts';

/** Entry point for both api.openai.com and the local compatible server. */
export async function handleOpenAIStyle(
  engine: Engine,
  flavor: OpenAIFlavor,
  validKey: string,
  req: SandboxRequest,
  res: ServerResponse,
): Promise<void> {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : '';
  // Ollama's CORS middleware refuses unlisted origins (extensions, unless OLLAMA_ORIGINS allows
  // them) before routing, preflights included, with an empty 403.
  if (flavor === 'compatible' && engine.rejectExtensionOrigins && origin.startsWith('chrome-extension://')) {
    res.writeHead(403, { 'content-length': '0' });
    res.end();
    return;
  }
  if (isPreflight(req)) return answerPreflight(req, res);

  const path = req.url.pathname.replace(/\/+$/, '') || '/';
  if (flavor === 'compatible' && (path === '/' || path === '') && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...corsHeaders(req) });
    res.end(req.method === 'HEAD' ? undefined : 'Ollama is running');
    return;
  }
  if (req.method === 'GET' && path === '/v1/models') return listModels(flavor, validKey, req, res);
  const modelPath = /^\/v1\/models\/(.+)$/.exec(path);
  if (req.method === 'GET' && modelPath)
    return getModel(flavor, validKey, decodeURIComponent(modelPath[1] ?? ''), req, res);
  if (req.method === 'POST' && path === '/v1/chat/completions')
    return chatCompletions(engine, flavor, validKey, req, res);
  if (req.method === 'POST' && path === '/v1/responses') return handleResponses(engine, flavor, validKey, req, res);
  return unknownRoute(flavor, req, res);
}

function unknownRoute(flavor: OpenAIFlavor, req: SandboxRequest, res: ServerResponse): void {
  if (flavor === 'compatible') {
    // Ollama is a Go (gin) server: its 404 is plain text.
    res.writeHead(404, { 'content-type': 'text/plain', ...corsHeaders(req) });
    res.end('404 page not found');
    return;
  }
  sendError(
    res,
    flavor,
    req,
    openaiError(404, `Invalid URL (${req.method} ${req.url.pathname})`, 'invalid_request_error', null, null),
  );
}

function modelObject(m: OpenAIModel): Record<string, unknown> {
  return { id: m.id, object: 'model', created: m.created, owned_by: m.ownedBy };
}

function listModels(flavor: OpenAIFlavor, validKey: string, req: SandboxRequest, res: ServerResponse): void {
  const denied = authProblem(flavor, req, validKey);
  if (denied) return sendError(res, flavor, req, denied);
  const models = flavor === 'compatible' ? COMPATIBLE_MODELS : OPENAI_MODELS;
  sendJson(res, 200, { object: 'list', data: models.map(modelObject) }, openaiHeaders(flavor, req));
}

function getModel(flavor: OpenAIFlavor, validKey: string, id: string, req: SandboxRequest, res: ServerResponse): void {
  const denied = authProblem(flavor, req, validKey);
  if (denied) return sendError(res, flavor, req, denied);
  const model = findModel(flavor, id);
  if (!model) {
    const reply =
      flavor === 'compatible'
        ? openaiError(404, `model "${id}" not found`, 'api_error', null, null)
        : openaiError(404, `The model '${id}' does not exist`, 'invalid_request_error', 'model', 'model_not_found');
    return sendError(res, flavor, req, reply);
  }
  sendJson(res, 200, modelObject(model), openaiHeaders(flavor, req));
}
