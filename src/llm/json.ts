// Structured answers arrive as text; this is where they become values (validated later against the
// output columns by the code that asked for them).
import { InklingError } from '../shared/problem';
import { ENGINE_LABELS } from '../shared/engines';
import { modelProblem, type ProblemContext } from './errors';

/** JSON text as a value, tolerating a Markdown code fence some models wrap around it; undefined if it is not JSON. */
export function parseFencedJson(text: string): unknown {
  const unfenced = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/i, '$1');
  try {
    return JSON.parse(unfenced);
  } catch {
    return undefined;
  }
}

/** Parses a JSON answer (fenced or not); a model that answered with something else is the bad_output problem. */
export function parseJsonAnswer(text: string, ctx: ProblemContext): unknown {
  const value = parseFencedJson(text);
  if (value === undefined) {
    throw new InklingError(
      modelProblem(
        'bad_output',
        `${ENGINE_LABELS[ctx.engine]} answered with text that is not the JSON Inkling asked for. Try again, or choose a stronger model.`,
      ),
    );
  }
  return value;
}
