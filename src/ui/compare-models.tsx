// Compare models: Preview's first rows answered by the run's engine and by another (or another model
// of the same one) side by side, with what each used, cost and took — nothing written — and the one to
// run with picked from there. Model answers are shown as text, never as HTML.
import { useState } from 'preact/hooks';
import type { EngineAbilities } from '../messaging';
import type { ComparedModel } from '../shared/run-preview';
import { ENGINE_IDS, ENGINE_OPTION_LABELS, type EngineChoice, type EngineId } from '../shared/engines';
import { engineAndModel, formatUsage } from '../shared/format';
import { Field } from './field';

const sameChoice = (a: EngineChoice, b: EngineChoice) => a.engine === b.engine && a.model === b.model;

/**
 * "Compare models" under Preview, offered when another engine is set up in Settings: what to compare
 * with, the two columns once compared, and which engine the run uses (`chosen`; Settings’ own when unset).
 */
export function CompareModels({
  abilities,
  disabled,
  compare,
  chosen,
  onChoose,
}: {
  abilities: EngineAbilities;
  disabled: boolean;
  compare: (other: EngineChoice) => Promise<ComparedModel[] | undefined>;
  chosen: EngineChoice | undefined;
  onChoose: (choice: EngineChoice) => void;
}) {
  const [open, setOpen] = useState(false);
  const [sides, setSides] = useState<ComparedModel[] | null>(null);
  if (abilities.others.length === 0) return null;
  return (
    <>
      <div class="actions">
        <button type="button" class="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          Compare models
        </button>
      </div>
      {open && (
        <CompareForm
          abilities={abilities}
          disabled={disabled}
          onCompare={async (other) => setSides((await compare(other)) ?? null)}
        />
      )}
      {open && sides && (
        <ComparisonTable
          sides={sides}
          chosen={chosen ?? { engine: abilities.engine, model: abilities.model }}
          onChoose={onChoose}
        />
      )}
      {chosen && (
        <p class="muted" data-testid="run-engine">
          This run uses {engineAndModel(chosen.engine, chosen.model)}, not the engine in Settings.
        </p>
      )}
    </>
  );
}

/** What to compare with: an engine set up in Settings and a model of it. */
function CompareForm({
  abilities,
  disabled,
  onCompare,
}: {
  abilities: EngineAbilities;
  disabled: boolean;
  onCompare: (other: EngineChoice) => void;
}) {
  const choices = [{ engine: abilities.engine, model: abilities.model }, ...abilities.others];
  const [engine, setEngine] = useState<EngineId>(abilities.others[0]?.engine ?? abilities.engine);
  const [model, setModel] = useState(abilities.others[0]?.model ?? abilities.model);
  return (
    <fieldset class="compare-form">
      <legend>Compare models</legend>
      <Field label="Compare with">
        {({ id }) => (
          <select
            id={id}
            value={engine}
            onChange={(e) => {
              const next = e.currentTarget.value as EngineId;
              setEngine(next);
              setModel(choices.find((c) => c.engine === next)?.model ?? '');
            }}
          >
            {ENGINE_IDS.filter((option) => choices.some((c) => c.engine === option)).map((option) => (
              <option key={option} value={option}>
                {ENGINE_OPTION_LABELS[option]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Model to compare">
        {({ id }) => <input id={id} value={model} onInput={(e) => setModel(e.currentTarget.value)} />}
      </Field>
      <button
        type="button"
        class="button"
        disabled={disabled || !model.trim()}
        onClick={() => onCompare({ engine, model: model.trim() })}
      >
        Compare
      </button>
    </fieldset>
  );
}

/** Two columns of answers, each under its engine with its tokens, cost and time, and “Use for the run”. */
function ComparisonTable({
  sides,
  chosen,
  onChoose,
}: {
  sides: ComparedModel[];
  chosen: EngineChoice;
  onChoose: (choice: EngineChoice) => void;
}) {
  const titles = sides.find((side) => side.rows.length > 0)?.rows ?? [];
  return (
    <section class="comparison" aria-label="Comparison">
      <p class="muted">The first {titles.length} rows answered by each — nothing was written.</p>
      <table class="rows__table">
        <thead>
          <tr>
            <th scope="col">Row</th>
            {sides.map((side) => (
              <th scope="col" key={`${side.engine}:${side.model}`} data-testid="compared-model">
                <div>{engineAndModel(side.engine, side.model)}</div>
                <div class="muted" data-testid="compared-usage">
                  {side.problem
                    ? ''
                    : `${formatUsage(side.usage, side.usage.costUsd === 0)} · ${(side.ms / 1000).toFixed(1)} s`}
                </div>
                {sameChoice(side, chosen) ? (
                  <div class="muted">Used for the run</div>
                ) : (
                  !side.problem && (
                    <button
                      type="button"
                      class="button"
                      onClick={() => onChoose({ engine: side.engine, model: side.model })}
                    >
                      Use for the run
                    </button>
                  )
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {titles.map((row) => (
            <tr key={row.id}>
              <th scope="row">{row.title}</th>
              {sides.map((side) => {
                const answer = side.rows.find((r) => r.id === row.id);
                return (
                  <td key={`${side.engine}:${side.model}`} class="preview-value">
                    {side.problem ??
                      answer?.reason ??
                      Object.entries(answer?.outputs ?? {})
                        .map(([name, value]) => (Object.keys(answer!.outputs).length > 1 ? `${name}: ${value}` : value))
                        .join('\n')}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {titles.length === 0 && sides.map((side) => side.problem && <p class="ink-problem">{side.problem}</p>)}
    </section>
  );
}
