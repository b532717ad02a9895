// Generate into a database: the rows, the prompt template, the output columns, Preview, the
// estimate before a run, progress while it runs, then failures, Retry failed and Undo run.
// Shared by the panel and the Create tab. Model answers are shown as text, never as HTML.
import { useRef, useState } from 'preact/hooks';
import type { DatabaseJob } from '../shared/job';
import type { PreviewRow, RunEstimate } from '../shared/run-preview';
import type { EngineChoice } from '../shared/engines';
import { CompareModels } from './compare-models';
import { BatchOption, EstimateText } from './estimate-text';
import { sendMessage } from '../messaging';
import { type DatabaseRunSetup } from '../shared/intents';
import { isWritableOutput, type DatabaseTarget, type RowSelection } from '../shared/notion-shapes';
import { Field } from './field';
import { ShowRunButton } from './page-run';
import { TemplatePromptField } from './prompt-field';
import { useTargetJob } from './use-target-job';
import { DatabaseRunStatus, PreviewList } from './database-run-status';
import { RowsTable } from './rows-table';
import { focusOnMount } from './focus';
import { useRequests } from './use-requests';
import { defaultCheckbox, defaultOutput } from './database-run-initial';
import type { RunInitial } from '../shared/run-options';
import { useEngineAbilities } from './use-engine-abilities';
import { WebSearchOption } from './web-search-option';
import { OutputChoices, type OutputChoice } from './output-choices';
import { FileInputsNote } from './file-inputs-note';

export interface DatabaseRunProps {
  target: DatabaseTarget;
  connectionId?: string;
  connectionName?: string;
  initial?: RunInitial;
}

export function DatabaseRun({ target, connectionId, connectionName, initial }: DatabaseRunProps) {
  const { job: anyJob } = useTargetJob(target.id);
  const job = anyJob?.kind === 'database' ? (anyJob as DatabaseJob) : null;
  const writable = target.properties.filter(isWritableOutput);
  const checkboxes = target.properties.filter((p) => p.type === 'checkbox');
  const [template, setTemplate] = useState(initial?.template ?? '');
  const [outputs, setOutputs] = useState<OutputChoice[]>(
    initial?.outputs ?? (defaultOutput(target.properties) ? [{ id: defaultOutput(target.properties)!.id }] : []),
  );
  const [checkboxId, setCheckboxId] = useState(initial?.checkboxId ?? defaultCheckbox(target.properties)?.id);
  // A connection that ran over a view starts there only when this link shows that same view.
  const otherView = initial?.selection === 'view' && (!target.view || target.view.id !== initial.viewId);
  const startSelection = otherView ? undefined : initial?.selection;
  const [selection, setSelection] = useState<RowSelection>(startSelection ?? (checkboxId ? 'ticked' : 'empty'));
  const [overwrite, setOverwrite] = useState(initial?.overwrite ?? false);
  const [untick, setUntick] = useState(initial?.untick ?? true);
  const [packRows, setPackRows] = useState(initial?.packRows ?? true);
  const [learn, setLearn] = useState(initial?.learn ?? false);
  const [keepUpToDate, setKeepUpToDate] = useState(initial?.keepUpToDate ?? false);
  const [batch, setBatch] = useState(false);
  const [webSearch, setWebSearch] = useState(initial?.webSearch ?? false);
  const [sourcesId, setSourcesId] = useState(initial?.sourcesId ?? '');
  const abilities = useEngineAbilities();
  const searching = webSearch && abilities?.webSearch === true;
  // Sources go to a text column of their own: not one of the outputs.
  const sourceColumns = target.properties.filter((p) => p.type === 'rich_text' && !outputs.some((o) => o.id === p.id));
  const [preview, setPreview] = useState<PreviewRow[] | null>(null);
  const [estimate, setEstimate] = useState<RunEstimate | null>(null);
  // The engine picked in Compare models for this run (else Settings’ own).
  const [engineChoice, setEngineChoice] = useState<EngineChoice | undefined>();
  const { busy, error, stopped, busyJob, run, stoppable, stop } = useRequests<
    'preview' | 'estimate' | 'start' | 'compare'
  >();
  const statusRef = useRef<HTMLDivElement>(null);

  const setup = (): DatabaseRunSetup => ({
    databaseId: target.id,
    template,
    outputs,
    selection,
    ...(checkboxId ? { checkboxId } : {}),
    overwrite,
    untick,
    ...(packRows ? {} : { packRows: false }),
    ...(searching ? { webSearch: true } : {}),
    ...(selection === 'view' && target.view ? { viewId: target.view.id } : {}),
    ...(searching && sourceColumns.some((p) => p.id === sourcesId) ? { sourcesId } : {}),
    ...(connectionId ? { connectionId } : {}),
    ...(connectionName ? { connectionName } : {}),
    ...(engineChoice ? { engine: engineChoice } : {}),
    ...(learn ? { learn: true } : {}),
    ...(keepUpToDate ? { keepUpToDate: true } : {}),
  });

  const running = job?.status === 'running' || job?.status === 'undoing';
  // The run first: while it goes, its progress and Cancel lead the panel and the form folds away.
  const form = (
    <>
      <TemplatePromptField
        value={template}
        onChange={setTemplate}
        propertyNames={target.properties.map((p) => p.name)}
      />

      <FileInputsNote
        prompts={[template, ...outputs.flatMap((o) => (o.prompt === undefined ? [] : [o.prompt]))]}
        properties={target.properties}
        abilities={abilities}
      />
      <OutputChoices
        writable={writable}
        outputs={outputs}
        setOutputs={setOutputs}
        propertyNames={target.properties.map((p) => p.name)}
      />

      <Field label="Rows">
        {({ id }) => (
          <select id={id} value={selection} onChange={(e) => setSelection(e.currentTarget.value as RowSelection)}>
            {checkboxId && (
              <option value="ticked">Ticked rows ({checkboxes.find((c) => c.id === checkboxId)?.name})</option>
            )}
            <option value="empty">Rows whose output is empty</option>
            <option value="all">All rows</option>
            <option value="changed">Refresh changed rows: new ones, and those whose inputs changed</option>
            {target.view && <option value="view">This view: “{target.view.name}”</option>}
          </select>
        )}
      </Field>
      {target.viewMissing && (
        <p class="muted" data-testid="view-missing">
          The view in this link is gone, or Inkling cannot see it: “This view” is not offered. Open the view again from
          Notion, or choose other rows.
        </p>
      )}
      {checkboxes.length > 1 && (
        <Field label="Checkbox column">
          {({ id }) => (
            <select id={id} value={checkboxId} onChange={(e) => setCheckboxId(e.currentTarget.value)}>
              {checkboxes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {selection !== 'changed' && (
        <label class="check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />{' '}
          Overwrite outputs that already have a value
        </label>
      )}
      {checkboxId && selection === 'ticked' && (
        <label class="check">
          <input type="checkbox" checked={untick} onChange={(e) => setUntick(e.currentTarget.checked)} /> Untick each
          row once it is written
        </label>
      )}
      <label class="check">
        <input type="checkbox" checked={packRows} onChange={(e) => setPackRows(e.currentTarget.checked)} /> Pack rows:
        several rows in one model call when the engine allows few requests a minute
      </label>
      <label class="check">
        <input type="checkbox" checked={learn} onChange={(e) => setLearn(e.currentTarget.checked)} /> Learn from
        corrections: answers you edited after Inkling wrote them go with each prompt as examples
      </label>
      <label class="check">
        <input type="checkbox" checked={keepUpToDate} onChange={(e) => setKeepUpToDate(e.currentTarget.checked)} /> Keep
        up to date: refresh changed rows every 15 minutes while the browser is open
      </label>
      <WebSearchOption abilities={abilities} checked={webSearch} onChange={setWebSearch} kind="database" />
      {searching && (
        <Field label="Sources">
          {({ id }) => (
            <select id={id} value={sourcesId} onChange={(e) => setSourcesId(e.currentTarget.value)}>
              <option value="">Don’t keep sources</option>
              {sourceColumns.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}

      {estimate ? (
        <div class="confirm" role="alertdialog" aria-label="Start the run">
          <EstimateText estimate={estimate} />
          <BatchOption estimate={estimate} checked={batch} onChange={setBatch} />
          {estimate.budgetWarning && (
            <p class="ink-problem" role="alert">
              {estimate.budgetWarning}
            </p>
          )}
          <div class="actions">
            <button
              ref={focusOnMount}
              type="button"
              class="button button--primary"
              disabled={busy !== '' || estimate.rows === 0}
              onClick={async () => {
                const started = await run('start', () =>
                  sendMessage('startDatabaseRun', {
                    ...setup(),
                    ...(batch && estimate.batchCostUsd !== undefined ? { batch: true } : {}),
                    expectedRows: estimate.rows + estimate.skipped,
                    ...(estimate.budgetWarning ? { overBudgetOk: true } : {}),
                  }),
                );
                setEstimate(null);
                // The confirm is gone: focus goes to the run it started, which now leads the panel.
                if (started) statusRef.current?.focus();
              }}
            >
              {estimate.budgetWarning ? 'Start anyway' : 'Start'}
            </button>
            <button type="button" class="button" onClick={() => setEstimate(null)}>
              Back
            </button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button
            type="button"
            class="button"
            disabled={busy !== '' || running}
            onClick={async () =>
              setPreview((await run('preview', () => sendMessage('previewRows', stoppable(setup())))) ?? null)
            }
          >
            {busy === 'preview' ? 'Previewing…' : 'Preview'}
          </button>
          <button
            type="button"
            class="button button--primary"
            disabled={busy !== '' || running}
            onClick={async () =>
              setEstimate((await run('estimate', () => sendMessage('estimateRun', stoppable(setup())))) ?? null)
            }
          >
            {busy === 'estimate' ? 'Counting rows…' : 'Generate'}
          </button>
          {(busy === 'preview' || busy === 'estimate' || busy === 'compare') && (
            <button type="button" class="button" ref={focusOnMount} onClick={stop}>
              Cancel
            </button>
          )}
        </div>
      )}
      {stopped && (
        <p class="muted" role="status">
          {stopped}
        </p>
      )}

      {error && (
        <div class="ink-problem" role="alert">
          <p>{error}</p>
          {busyJob && <ShowRunButton target={statusRef} />}
        </div>
      )}
      {abilities && (
        <CompareModels
          abilities={abilities}
          disabled={busy !== '' || running}
          compare={(other) =>
            run('compare', () => sendMessage('compareModels', { ...stoppable(setup()), with: other }))
          }
          chosen={engineChoice}
          onChoose={setEngineChoice}
        />
      )}
      {preview && <PreviewList rows={preview} />}
    </>
  );

  return (
    <div class="database-run">
      <div ref={statusRef} tabIndex={-1}>
        {job && <DatabaseRunStatus job={job} />}
      </div>
      <RowsTable
        target={target}
        checkboxId={checkboxId}
        outputIds={outputs.map((o) => o.id)}
        refreshKey={`${job?.id}:${job?.status}`}
        job={job}
      />
      {running ? (
        <details class="run-form">
          <summary>Prompt and options</summary>
          {form}
        </details>
      ) : (
        form
      )}
    </div>
  );
}
