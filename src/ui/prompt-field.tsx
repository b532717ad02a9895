// The database Prompt: a template where {{Property name}} inserts the row's value. Property names
// are suggested while typing after "{{", and a misspelled one is pointed out before anything runs.
import { useRef, useState } from 'preact/hooks';
import { applySuggestion, checkTemplate, suggestAt, type Suggestion } from '../shared/template';
import { Field } from './field';

export interface PromptFieldProps {
  value: string;
  onChange(value: string): void;
  propertyNames: readonly string[];
  onSubmit?: () => void;
  /** Another prompt than the run's own (an output's): its label and hint. */
  label?: string;
  hint?: string;
  placeholder?: string;
}

const PROMPT_HINT =
  'Runs once per row. {{Property name}} inserts that row’s value; {{page}} its page content. Without any, the row’s values are added for you.';

export function TemplatePromptField({
  value,
  onChange,
  propertyNames,
  onSubmit,
  label = 'Prompt',
  hint = PROMPT_HINT,
  placeholder = 'e.g. Translate {{Topic}} to Japanese',
}: PromptFieldProps) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [suggestion, setSuggestion] = useState<Suggestion | null>(null);
  const errors = value.includes('{{') ? checkTemplate(value, propertyNames).errors : [];

  const refresh = (text: string, caret: number) => setSuggestion(suggestAt(text, caret, [...propertyNames, 'page']));

  const choose = (name: string) => {
    const el = textarea.current;
    if (!el || !suggestion) return;
    const next = applySuggestion(value, suggestion, el.selectionStart, name);
    onChange(next.text);
    setSuggestion(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  };

  return (
    <Field label={label} hint={hint} error={errors[0]}>
      {({ id, describedBy, invalid }) => (
        <div class="prompt-field">
          <textarea
            ref={textarea}
            id={id}
            rows={4}
            value={value}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            aria-autocomplete="list"
            // Points at the suggestions only while they are there: a reference to nothing is an error for screen readers.
            aria-controls={suggestion && suggestion.names.length > 0 ? `${id}-suggestions` : undefined}
            placeholder={placeholder}
            onInput={(e) => {
              onChange(e.currentTarget.value);
              refresh(e.currentTarget.value, e.currentTarget.selectionStart);
            }}
            onKeyDown={(e) => {
              if (
                suggestion &&
                suggestion.names.length > 0 &&
                (e.key === 'Tab' || (e.key === 'Enter' && !e.ctrlKey && !e.metaKey))
              ) {
                e.preventDefault();
                choose(suggestion.names[0]!);
              } else if (e.key === 'Escape' && suggestion) {
                // Closes the suggestions only; the panel stays open (it closes on an Escape nobody used).
                e.preventDefault();
                setSuggestion(null);
              } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                onSubmit?.();
              }
            }}
            onBlur={() => setTimeout(() => setSuggestion(null), 150)}
          />
          {suggestion && suggestion.names.length > 0 && (
            <ul class="suggestions" role="listbox" id={`${id}-suggestions`} aria-label="Property names">
              {suggestion.names.map((name) => (
                <li
                  key={name}
                  role="option"
                  aria-selected={false}
                  onMouseDown={(e) => (e.preventDefault(), choose(name))}
                >
                  {name}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Field>
  );
}
