// Hosted mode (client secrets for Agent Builder workflows): configuration and limits.
import type { ReactElement } from 'react'
import type { HostedStatus } from '../api'
import { formatMegabytes } from '../format'
import { CheckIcon, WarningIcon } from './Icons'
import { Panel } from './Panel'

export function HostedPanel({ hosted }: { hosted: HostedStatus }): ReactElement {
  const { uploads } = hosted
  return (
    <Panel id="hosted" title="Hosted mode">
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          {hosted.configured ? (
            <span className="pill pill-ok">
              <CheckIcon />
              Configured
            </span>
          ) : (
            <span className="status-stack">
              <span className="pill pill-warn">
                <WarningIcon />
                Not configured
              </span>
              {hosted.missing ? (
                <span>
                  Missing setting: <code>{hosted.missing}</code>
                </span>
              ) : null}
            </span>
          )}
        </dd>
        <dt>Default workflow</dt>
        <dd>{hosted.default_workflow ? <code>{hosted.default_workflow}</code> : <span className="muted">None</span>}</dd>
        <dt>Allowed workflows</dt>
        <dd>
          {hosted.workflows.length > 0 ? (
            <ul className="chips" aria-label="Allowed workflows">
              {hosted.workflows.map((w) => (
                <li key={w}>
                  <code>{w}</code>
                </li>
              ))}
            </ul>
          ) : (
            <span className="muted">None</span>
          )}
        </dd>
        <dt>Bring your own key</dt>
        <dd>{hosted.byo_key ? 'Allowed' : 'Not allowed'}</dd>
        <dt>Uploads</dt>
        <dd>
          {uploads.enabled
            ? `Enabled: up to ${uploads.max_files} ${uploads.max_files === 1 ? 'file' : 'files'}, ${formatMegabytes(uploads.max_file_size_mb)} each`
            : 'Disabled'}
        </dd>
      </dl>
    </Panel>
  )
}
