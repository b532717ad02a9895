// The toolbar popup: one tab per part of the seed app's flow.
import { useState } from 'preact/hooks';
import { CreateTab } from './create-tab';
import { SettingsTab } from './settings-tab';

const TABS = ['Settings', 'Create'] as const;
type TabName = (typeof TABS)[number];

export function PopupApp() {
  const [tab, setTab] = useState<TabName>('Settings');
  return (
    <div class="popup">
      <header class="popup__header">
        <span class="brand">Inkling</span>
        <nav class="tabs" role="tablist" aria-label="Inkling">
          {TABS.map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              id={`tab-${name}`}
              aria-selected={tab === name}
              aria-controls={`panel-${name}`}
              class="tabs__tab"
              onClick={() => setTab(name)}
            >
              {name}
            </button>
          ))}
        </nav>
      </header>
      <div class="popup__body" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'Settings' && <SettingsTab />}
        {tab === 'Create' && <CreateTab />}
      </div>
    </div>
  );
}
