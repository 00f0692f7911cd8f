// The composer: a text box (Enter sends, Shift+Enter starts a new line, Escape stops a reply),
// an optional model picker, and the Send button that becomes Stop while a reply streams.
import { forwardRef, useId, useImperativeHandle, useRef, useState, type FormEvent, type KeyboardEvent, type ReactElement } from 'react'
import type { ComposerModel } from '../options'
import { SendIcon, StopIcon } from './icons'

export interface ComposerHandle {
  focus: () => void
  setValue: (text: string) => void
}

interface ComposerProps {
  placeholder: string
  models: ComposerModel[]
  responding: boolean
  allowCancel: boolean
  disabledReason?: string
  onSend: (text: string, model?: string) => void
  onStop: () => void
}

export const Composer = forwardRef<ComposerHandle, ComposerProps>(function Composer(props, ref): ReactElement {
  const [text, setText] = useState('')
  const [model, setModel] = useState<string | undefined>(
    () => (props.models.find((m) => m.default) ?? props.models[0])?.id,
  )
  const textareaRef = useRef<HTMLTextAreaElement>(null)
  const id = useId()
  useImperativeHandle(ref, () => ({
    focus: () => textareaRef.current?.focus(),
    setValue: (value: string) => setText(value),
  }))

  const disabled = props.disabledReason !== undefined
  const canSend = !disabled && !props.responding && text.trim() !== ''

  const send = (): void => {
    if (!canSend) return
    props.onSend(text, props.models.length > 1 ? model : undefined)
    setText('')
  }
  const submit = (event: FormEvent): void => {
    event.preventDefault()
    send()
  }
  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      send()
    } else if (event.key === 'Escape' && props.responding && props.allowCancel) {
      event.preventDefault()
      props.onStop()
    }
  }

  return (
    <form className="ck-composer" onSubmit={submit} aria-label="Message composer">
      <label className="ck-visually-hidden" htmlFor={`${id}-text`}>
        Message
      </label>
      <textarea
        id={`${id}-text`}
        ref={textareaRef}
        className="ck-input"
        rows={1}
        value={text}
        placeholder={props.disabledReason ?? props.placeholder}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={keyDown}
      />
      {props.models.length > 1 ? (
        <select className="ck-model" aria-label="Model" value={model} onChange={(e) => setModel(e.target.value)} disabled={disabled}>
          {props.models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      ) : null}
      {props.responding && props.allowCancel ? (
        <button type="button" className="ck-send ck-stop" aria-label="Stop" title="Stop (Esc)" onClick={props.onStop}>
          <StopIcon />
        </button>
      ) : (
        <button type="submit" className="ck-send" aria-label="Send message" title="Send (Enter)" disabled={!canSend}>
          <SendIcon />
        </button>
      )}
    </form>
  )
})
