// Structured answers arrive as text; this is where they become values (validated later against the
// output columns by the code that asked for them).
import { InklingError } from '../shared/problem';
import { ENGINE_LABELS } from '../shared/engines';
import { modelProblem, type ProblemContext } from './errors';

/** Parses a JSON answer, tolerating a Markdown code fence some local models wrap around it. */
export function parseJsonAnswer(text: string, ctx: ProblemContext): unknown {
  const trimmed = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/i, '$1');
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new InklingError(
      modelProblem(
        'bad_output',
        `${ENGINE_LABELS[ctx.engine]} answered with text that is not the JSON Inkling asked for. Try again, or choose a stronger model.`,
      ),
    );
  }
}
