// Sanitised markdown (see ../markdown.ts), put in the DOM as nodes, never as an HTML string.
import { useLayoutEffect, useRef, type ReactElement } from 'react'
import { renderMarkdownFragment } from '../markdown'

export function Markdown({ text, className }: { text: string; className?: string }): ReactElement {
  const ref = useRef<HTMLDivElement>(null)
  useLayoutEffect(() => {
    ref.current?.replaceChildren(renderMarkdownFragment(text))
  }, [text])
  return <div ref={ref} className={className ? `ck-md ${className}` : 'ck-md'} />
}
