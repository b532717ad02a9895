// A saved connection's run options (as stored with it) read back as the choices a database run starts
// from: by the panel and the Create tab when a connection is resumed, and by Keep up to date.
import type { DatabaseRunSetup } from './intents';
import type { RowSelection } from './notion-shapes';

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
    | 'keepUpToDate'
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
  if (options.keepUpToDate === true) picked.keepUpToDate = true;
  return picked;
}
