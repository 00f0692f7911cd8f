// General facts about the running server: name, version, upstream, demo flag.
import type { ReactElement } from 'react'
import type { ServerStatus } from '../api'
import { upstreamLabel } from '../format'
import { RefreshIcon } from './Icons'
import { Panel } from './Panel'

export interface ServerPanelProps {
  status: ServerStatus
  onRefresh: () => void
  refreshing: boolean
}

export function ServerPanel({ status, onRefresh, refreshing }: ServerPanelProps): ReactElement {
  return (
    <Panel
      id="server"
      title="Server"
      busy={refreshing}
      actions={
        <button type="button" className="button button-quiet" onClick={refreshing ? undefined : onRefresh}
          aria-disabled={refreshing}>
          <RefreshIcon />
          {refreshing ? 'Refreshing\u2026' : 'Refresh'}
        </button>
      }
    >
      <dl className="facts">
        <dt>Name</dt>
        <dd>{status.name}</dd>
        <dt>Version</dt>
        <dd>
          <code>{status.version}</code>
        </dd>
        <dt>Upstream</dt>
        <dd>{upstreamLabel(status.upstream)}</dd>
        <dt>Demo mode</dt>
        <dd>{status.demo ? 'On' : 'Off'}</dd>
      </dl>
    </Panel>
  )
}
