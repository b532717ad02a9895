// A labelled form field with its hint, an optional "where to get it" link, and its error — wired for
// screen readers (label, aria-describedby, aria-invalid), which is also how the tests find it.
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

export interface FieldProps {
  label: string;
  hint?: ComponentChildren;
  link?: { href: string; text: string };
  error?: string | undefined;
  children: (ids: { id: string; describedBy: string; invalid: boolean }) => ComponentChildren;
}

export function Field({ label, hint, link, error, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' field--invalid' : ''}`}>
      <div class="field__label-row">
        <label for={id} class="field__label">
          {label}
        </label>
        {link && (
          <a class="field__link" href={link.href} target="_blank" rel="noreferrer noopener">
            {link.text}
          </a>
        )}
      </div>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {hint && (
        <p id={hintId} class="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} class="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
