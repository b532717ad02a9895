// Where a database run's form starts when no connection says otherwise (shared/run-options.ts reads
// a saved one): the columns people most likely mean (the seed's "Generate" checkbox and "Output" column).
import { isWritableOutput, type PropertyInfo } from '../shared/notion-shapes';

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
