// Inline SVG icons (no icon font, no network). Decorative: hidden from assistive technology,
// so the text next to each icon carries the meaning.
import type { ReactElement, ReactNode } from 'react'

/** A 24×24 stroked icon drawn at `size` pixels (the status page's 20 unless given). */
export function Svg({
  children,
  size = 20,
  className = 'icon',
}: {
  children: ReactNode
  size?: number
  className?: string
}): ReactElement {
  return (
    <svg
      className={className}
      viewBox="0 0 24 24"
      width={size}
      height={size}
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  )
}

/** Speech bubble: the product mark. */
export function LogoIcon(): ReactElement {
  return (
    <Svg>
      <path d="M4 6.5A2.5 2.5 0 0 1 6.5 4h11A2.5 2.5 0 0 1 20 6.5v8a2.5 2.5 0 0 1-2.5 2.5H11l-5 4v-4.2A2.5 2.5 0 0 1 4 14.5z" />
    </Svg>
  )
}

/** Flask: demo / simulator. */
export function FlaskIcon(): ReactElement {
  return (
    <Svg>
      <path d="M9 3h6M10 3v6L4.5 18.5A1.7 1.7 0 0 0 6 21h12a1.7 1.7 0 0 0 1.5-2.5L14 9V3" />
      <path d="M7.5 15h9" />
    </Svg>
  )
}

/** Check in a circle: configured / OK. */
export function CheckIcon(): ReactElement {
  return (
    <Svg>
      <circle cx="12" cy="12" r="9" />
      <path d="m8 12 3 3 5-6" />
    </Svg>
  )
}

/** Triangle with exclamation mark: warning / error. */
export function WarningIcon(): ReactElement {
  return (
    <Svg>
      <path d="M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" />
      <path d="M12 9v4M12 17h.01" />
    </Svg>
  )
}

/** Circular arrow: refresh. */
export function RefreshIcon(): ReactElement {
  return (
    <Svg>
      <path d="M20 11a8 8 0 1 0-2.3 5.7" />
      <path d="M20 4v7h-7" />
    </Svg>
  )
}

/** Key: client secrets. */
export function KeyIcon(): ReactElement {
  return (
    <Svg>
      <circle cx="7.5" cy="15.5" r="4.5" />
      <path d="m10.7 12.3 9.3-9.3M16 7l3 3M14 9l2 2" />
    </Svg>
  )
}
