// The start screen: the greeting and the suggested prompts, shown while a thread has no items.
import type { ReactElement } from 'react'
import type { UserMessageContent } from '../../gen/chatkit'
import type { StartScreenOption } from '../options'

function promptLabel(prompt: string | UserMessageContent[]): string {
  return typeof prompt === 'string' ? prompt : prompt.map((part) => part.text).join(' ')
}

export function StartScreen({
  startScreen,
  disabled,
  onPrompt,
}: {
  startScreen?: StartScreenOption
  disabled: boolean
  onPrompt: (prompt: string | UserMessageContent[]) => void
}): ReactElement {
  const prompts = startScreen?.prompts ?? []
  return (
    <div className="ck-start">
      <p className="ck-greeting">{startScreen?.greeting ?? 'What can I help with today?'}</p>
      {prompts.length > 0 ? (
        <ul className="ck-prompts" aria-label="Suggested prompts">
          {prompts.map((p, i) => (
            <li key={i}>
              <button type="button" className="ck-prompt" disabled={disabled} onClick={() => onPrompt(p.prompt)}>
                {p.label ?? promptLabel(p.prompt)}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}
