// The shape a database run's setup must have when it reaches the background: from a screen's message,
// or read back from a connection's saved options (Keep up to date), which anyone can edit in Notion.
import * as v from 'valibot';
import { ENGINE_IDS } from '../shared/engines';

const Uuid = v.pipe(v.string(), v.uuid());

/** An engine and model to run with (or compare with), instead of Settings’ own. */
export const EngineChoiceSchema = v.object({
  engine: v.picklist(ENGINE_IDS),
  model: v.pipe(v.string(), v.maxLength(200)),
});

export const SetupSchema = v.object({
  databaseId: Uuid,
  template: v.pipe(v.string(), v.maxLength(50_000)),
  outputs: v.pipe(
    v.array(
      v.object({
        id: v.pipe(v.string(), v.maxLength(200)),
        allowNewOptions: v.optional(v.boolean()),
        prompt: v.optional(v.pipe(v.string(), v.maxLength(50_000))),
      }),
    ),
    v.maxLength(20),
  ),
  selection: v.picklist(['ticked', 'all', 'empty', 'view', 'changed']),
  viewId: v.optional(Uuid),
  checkboxId: v.optional(v.pipe(v.string(), v.maxLength(200))),
  overwrite: v.boolean(),
  untick: v.boolean(),
  connectionId: v.optional(Uuid),
  connectionName: v.optional(v.pipe(v.string(), v.maxLength(200))),
  overBudgetOk: v.optional(v.boolean()),
  expectedRows: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  packRows: v.optional(v.boolean()),
  webSearch: v.optional(v.boolean()),
  sourcesId: v.optional(v.pipe(v.string(), v.maxLength(200))),
  engine: v.optional(EngineChoiceSchema),
  learn: v.optional(v.boolean()),
  keepUpToDate: v.optional(v.boolean()),
  batch: v.optional(v.boolean()),
});
