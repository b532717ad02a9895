// The Output property choices of a database run: which columns get answers, whether a select may gain
// options, and an output's own prompt — a call of its own, which may use another output's answer
// ({{Summary}} in the prompt for “Category”), so that the run chains them.
import type { DatabaseRunSetup } from '../shared/intents';
import type { PropertyInfo } from '../shared/notion-shapes';
import { TemplatePromptField } from './prompt-field';

export type OutputChoice = DatabaseRunSetup['outputs'][number];

export interface OutputChoicesProps {
  /** The columns Inkling can write. */
  writable: readonly PropertyInfo[];
  outputs: readonly OutputChoice[];
  /** Functional updates: several boxes can change before the next render. */
  setOutputs(update: (current: OutputChoice[]) => OutputChoice[]): void;
  propertyNames: readonly string[];
}

export function OutputChoices({ writable, outputs, setOutputs, propertyNames }: OutputChoicesProps) {
  const toggle = (id: string, on: boolean) =>
    setOutputs((current) =>
      on ? [...current.filter((o) => o.id !== id), { id }] : current.filter((o) => o.id !== id),
    );
  const change = (id: string, patch: (o: OutputChoice) => OutputChoice) =>
    setOutputs((current) => current.map((o) => (o.id === id ? patch(o) : o)));
  const others = (name: string) => outputs.flatMap((o) => writable.find((p) => p.id === o.id && p.name !== name) ?? []);

  return (
    <fieldset class="choices" aria-label="Output property">
      <legend>Output property</legend>
      {writable.length === 0 && <p class="muted">This database has no column Inkling can write into.</p>}
      {writable.map((p) => {
        const chosen = outputs.find((o) => o.id === p.id);
        const example = others(p.name)[0]?.name;
        return (
          <div key={p.id}>
            <div class="check">
              <label>
                <input
                  type="checkbox"
                  checked={Boolean(chosen)}
                  onChange={(e) => toggle(p.id, e.currentTarget.checked)}
                />{' '}
                {p.name}
              </label>
              <span class="muted"> · {p.type.replace('_', ' ')}</span>
            </div>
            {chosen && (p.type === 'select' || p.type === 'multi_select') && (
              <label class="check check--nested">
                <input
                  type="checkbox"
                  checked={Boolean(chosen.allowNewOptions)}
                  onChange={(e) => change(p.id, (o) => ({ ...o, allowNewOptions: e.currentTarget.checked }))}
                />{' '}
                Allow new options in “{p.name}”
              </label>
            )}
            {chosen && (
              <label class="check check--nested">
                <input
                  type="checkbox"
                  checked={chosen.prompt !== undefined}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    change(p.id, ({ prompt: _prompt, ...o }) => (on ? { ...o, prompt: '' } : o));
                  }}
                />{' '}
                Own prompt for “{p.name}”
              </label>
            )}
            {chosen?.prompt !== undefined && (
              <div class="check--nested">
                <TemplatePromptField
                  label={`Prompt for “${p.name}”`}
                  hint={
                    example
                      ? `A call of its own for this column, after the ones it needs: {{${example}}} inserts this row’s answer for “${example}”.`
                      : 'A call of its own for this column. {{Property name}} inserts that row’s value.'
                  }
                  placeholder={
                    example ? `e.g. Pick the best fit for {{${example}}}` : 'e.g. Pick the best fit for {{Topic}}'
                  }
                  value={chosen.prompt}
                  onChange={(prompt) => change(p.id, (o) => ({ ...o, prompt }))}
                  propertyNames={propertyNames}
                />
              </div>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
