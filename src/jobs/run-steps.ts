// Chained outputs: an output with a prompt of its own is answered by a call of its own, and that prompt
// may name another output ({{Summary}}) to get the row's answer to it. The calls of each row are
// ordered so that every answer a prompt names comes first; a circle of prompts is refused up front.
import type { RunStep } from '../shared/job';
import type { OutputSpec } from '../shared/notion-shapes';
import { InklingError, setupProblem, type Problem } from '../shared/problem';
import { checkTemplate } from '../shared/template';

const problem = setupProblem;

/** A run's calls for each row: its steps, or the one call of a run without chained outputs. */
export function stepsOf(run: { template: string; outputs: readonly OutputSpec[]; steps?: RunStep[] }): RunStep[] {
  return run.steps ?? [{ template: run.template, outputIds: run.outputs.map((o) => o.id) }];
}

/** The outputs a step answers, in the run's order. */
export const stepOutputs = (outputs: readonly OutputSpec[], step: RunStep): OutputSpec[] =>
  outputs.filter((o) => step.outputIds.includes(o.id));

/** True when each row takes more than one call (so rows are never packed together). */
export const isChained = (run: { template: string; steps?: readonly RunStep[] }): boolean =>
  (run.steps?.length ?? 0) > 1;

/** Every column name the run's prompts name, once each ('page' included). */
export function stepReferences(steps: readonly RunStep[], propertyNames: readonly string[]): string[] {
  return [...new Set(steps.flatMap((s) => checkTemplate(s.template, propertyNames).references))];
}

/** How a step is named to a person: its own prompt's output, or the run's Prompt. */
function stepName(step: RunStep, own: boolean, outputs: readonly OutputSpec[]): string {
  const name = outputs.find((o) => o.id === step.outputIds[0])?.name ?? '';
  return own ? `the prompt for “${name}”` : 'the Prompt';
}

/**
 * Orders a run's calls: the main Prompt for the outputs without a prompt of their own, and one call per
 * output with one; a call that names another's output goes after it (the order chosen breaks ties).
 * An output naming itself gets the cell's current value, as in any prompt.
 */
export function planSteps(
  template: string,
  outputs: readonly OutputSpec[],
  prompts: ReadonlyMap<string, string>,
  propertyNames: readonly string[],
): RunStep[] {
  const shared = outputs.filter((o) => !prompts.has(o.id));
  const steps: Array<{ step: RunStep; own: boolean }> = [];
  if (shared.length > 0) {
    if (!template) throw new InklingError(problem('no_prompt', 'Write a prompt first.'));
    steps.push({ step: { template, outputIds: shared.map((o) => o.id) }, own: false });
  }
  for (const output of outputs) {
    const own = prompts.get(output.id)?.trim();
    if (own === undefined) continue;
    if (!own)
      throw new InklingError(
        problem('no_prompt', `Write the prompt for “${output.name}”, or untick its “Own prompt”.`),
      );
    steps.push({ step: { template: own, outputIds: [output.id] }, own: true });
  }
  for (const { step, own } of steps) {
    const { errors } = checkTemplate(step.template, propertyNames);
    if (errors.length > 0)
      throw new InklingError(
        problem('template', own ? `In ${stepName(step, own, outputs)}: ${errors.join(' ')}` : errors.join(' ')),
      );
  }
  if (steps.length === 1) return [steps[0]!.step];
  // What each step needs first: the steps answering an output its prompt names (other than its own).
  const nameOf = new Map(outputs.map((o) => [o.id, o.name]));
  const needs = steps.map(({ step }) => {
    const refs = checkTemplate(step.template, propertyNames).references;
    return steps.flatMap((other, j) => {
      const named = other.step.outputIds.map((id) => nameOf.get(id)!).find((name) => refs.includes(name));
      return other.step !== step && named !== undefined ? [{ step: j, name: named }] : [];
    });
  });
  const done: number[] = [];
  while (done.length < steps.length) {
    const next = steps.findIndex((_, i) => !done.includes(i) && needs[i]!.every((n) => done.includes(n.step)));
    if (next < 0) throw new InklingError(circleProblem(steps, needs, done, outputs));
    done.push(next);
  }
  return done.map((i) => steps[i]!.step);
}

/** The circle the remaining steps make, said as each prompt naming the next one's output. */
function circleProblem(
  steps: ReadonlyArray<{ step: RunStep; own: boolean }>,
  needs: ReadonlyArray<ReadonlyArray<{ step: number; name: string }>>,
  done: readonly number[],
  outputs: readonly OutputSpec[],
): Problem {
  // Every step left needs one that is left too: following those needs comes back round.
  const path: number[] = [];
  let at = steps.findIndex((_, i) => !done.includes(i));
  while (!path.includes(at)) {
    path.push(at);
    at = needs[at]!.find((n) => !done.includes(n.step))!.step;
  }
  const circle = path.slice(path.indexOf(at));
  const links = circle.map((i, k) => {
    const next = circle[(k + 1) % circle.length]!;
    const named = needs[i]!.find((n) => n.step === next)!.name;
    return `${stepName(steps[i]!.step, steps[i]!.own, outputs)} uses {{${named}}}`;
  });
  return problem(
    'template',
    `These prompts need each other’s answers first, so none of them can go first: ${links.join(', ')}. Take one of those out.`,
  );
}
