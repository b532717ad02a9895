// Where keyboard focus goes as the panel and popup change under it.

/**
 * A ref that moves focus to its element as it appears: the first choice of a confirm dialog, so Enter
 * answers it and a screen reader reads it. One function for every use: Preact calls a ref again only
 * when the function changes.
 */
export function focusOnMount(element: HTMLElement | null): void {
  element?.focus();
}
