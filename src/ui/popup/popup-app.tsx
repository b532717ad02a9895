// The toolbar popup: one tab per part of the seed app's flow.
import { useState } from 'preact/hooks';
import type { Connection } from '../../shared/connection';
import { sendMessage } from '../../messaging';
import { ConnectionsTab } from './connections-tab';
import { CreateTab, type CreateInitial } from './create-tab';
import { SettingsTab } from './settings-tab';
import { UsageTab } from './usage-tab';

const TABS = ['Settings', 'Create', 'Connections', 'Usage'] as const;
type TabName = (typeof TABS)[number];

/** A saved connection, as the Create view it came from. */
function resumeState(connection: Connection): CreateInitial {
  return {
    connectionId: connection.id,
    name: connection.name,
    kind: connection.kind,
    url: connection.targetUrl,
    prompt: connection.prompt,
    options: connection.options,
    resolve: true,
  };
}

export function PopupApp() {
  const [tab, setTab] = useState<TabName>('Settings');
  const [resumed, setResumed] = useState<{ key: number; initial: CreateInitial } | null>(null);
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
              onClick={() => {
                if (name === 'Create') setResumed(null);
                setTab(name);
              }}
            >
              {name}
            </button>
          ))}
        </nav>
      </header>
      <div class="popup__body" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'Settings' && <SettingsTab />}
        {tab === 'Create' && (
          <CreateTab
            key={resumed?.key ?? 0}
            {...(resumed ? { initial: resumed.initial } : {})}
            onOpen={(initial) => setResumed({ key: Date.now(), initial })}
          />
        )}
        {tab === 'Connections' && (
          <ConnectionsTab
            onResume={async (connection) => {
              // Where its page or database is open in this window, the connection resumes in that tab's panel.
              const inTab = await sendMessage('resumeInTab', { connectionId: connection.id }).catch(() => undefined);
              if (inTab?.ok && inTab.value) {
                window.close();
                return;
              }
              setResumed({ key: Date.now(), initial: resumeState(connection) });
              setTab('Create');
            }}
          />
        )}
        {tab === 'Usage' && <UsageTab />}
      </div>
    </div>
  );
}
