// Where a database run's form starts: a saved connection's prompt and options, or the columns people
// most likely mean (the seed's "Generate" checkbox and "Output" column).
import type { DatabaseRunSetup } from '../shared/intents';
import { isWritableOutput, type PropertyInfo, type RowSelection } from '../shared/notion-shapes';

/** The choices a database run's form may start from. */
export type RunInitial = Partial<
  Pick<
    DatabaseRunSetup,
    | 'template'
    | 'outputs'
    | 'selection'
    | 'checkboxId'
    | 'overwrite'
    | 'untick'
    | 'packRows'
    | 'webSearch'
    | 'sourcesId'
    | 'viewId'
    | 'learn'
  >
>;

/** A saved connection's prompt and run options (as stored with it), as this view starts from them. */
export function runInitial(prompt: string, options: Record<string, unknown> | undefined): RunInitial {
  const picked: RunInitial = prompt ? { template: prompt } : {};
  if (!options) return picked;
  if (Array.isArray(options.outputs)) picked.outputs = options.outputs as DatabaseRunSetup['outputs'];
  if (['ticked', 'all', 'empty', 'view', 'changed'].includes(options.selection as string))
    picked.selection = options.selection as RowSelection;
  if (typeof options.checkboxId === 'string') picked.checkboxId = options.checkboxId;
  if (typeof options.overwrite === 'boolean') picked.overwrite = options.overwrite;
  if (typeof options.untick === 'boolean') picked.untick = options.untick;
  if (options.packRows === false) picked.packRows = false;
  if (options.webSearch === true) picked.webSearch = true;
  if (typeof options.sourcesId === 'string') picked.sourcesId = options.sourcesId;
  if (typeof options.viewId === 'string') picked.viewId = options.viewId;
  if (options.learn === true) picked.learn = true;
  return picked;
}

/** The checkbox people tick to pick rows: the seed template's "Generate", else the first checkbox. */
export function defaultCheckbox(properties: readonly PropertyInfo[]): PropertyInfo | undefined {
  const boxes = properties.filter((p) => p.type === 'checkbox');
  return boxes.find((p) => /^generate$/i.test(p.name)) ?? boxes[0];
}

/** The output people most likely want: the seed's "Output", else the first text column that is not the title. */
export function defaultOutput(properties: readonly PropertyInfo[]): PropertyInfo | undefined {
  return (
    properties.find((p) => /^output$/i.test(p.name) && isWritableOutput(p)) ??
    properties.find((p) => p.type === 'rich_text')
  );
}
