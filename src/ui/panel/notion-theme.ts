// The panel wears Notion's own theme, which a person picks in Notion (light, dark, or the system's) and
// Notion shows as `dark` on its body: the panel's host carries it as data-theme, kept up to date as
// Notion switches without a reload.

export function followNotionTheme(host: HTMLElement, body: HTMLElement = document.body): () => void {
  const apply = () => host.setAttribute('data-theme', body.classList.contains('dark') ? 'dark' : 'light');
  apply();
  const observer = new MutationObserver(apply);
  observer.observe(body, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}
