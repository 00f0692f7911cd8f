// Inline SVG icons for the chat (no icon font, no emoji, no network). Decorative: hidden from
// assistive technology; every button that shows one has a text label or an aria-label.
import type { ReactElement, ReactNode } from 'react'

import { Svg as IconSvg } from '../../components/Icons'

/** The chat's icons: 18 pixels unless given, styled by `.ck-icon`. */
function Svg({ children, size = 18 }: { children: ReactNode; size?: number }): ReactElement {
  return (
    <IconSvg className="ck-icon" size={size}>
      {children}
    </IconSvg>
  )
}

export const SendIcon = (): ReactElement => (
  <Svg>
    <path d="M12 19V5M5 12l7-7 7 7" />
  </Svg>
)
export const StopIcon = (): ReactElement => (
  <Svg>
    <rect x="6" y="6" width="12" height="12" rx="2" fill="currentColor" />
  </Svg>
)
export const PlusIcon = (): ReactElement => (
  <Svg>
    <path d="M12 5v14M5 12h14" />
  </Svg>
)
export const HistoryIcon = (): ReactElement => (
  <Svg>
    <path d="M4 6h16M4 12h16M4 18h10" />
  </Svg>
)
export const PencilIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="M4 20h4L19 9l-4-4L4 16z" />
  </Svg>
)
export const TrashIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />
  </Svg>
)
export const CloseIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="M6 6l12 12M18 6 6 18" />
  </Svg>
)
export const ThumbUpIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="M7 11v9H4v-9zM7 11l4-8a2 2 0 0 1 3 2l-1 5h6a2 2 0 0 1 2 2.3l-1.3 6A2 2 0 0 1 17.7 20H7" />
  </Svg>
)
export const ThumbDownIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="M7 13V4H4v9zM7 13l4 8a2 2 0 0 0 3-2l-1-5h6a2 2 0 0 0 2-2.3l-1.3-6A2 2 0 0 0 17.7 4H7" />
  </Svg>
)
export const CopyIcon = (): ReactElement => (
  <Svg size={16}>
    <rect x="8" y="8" width="12" height="12" rx="2" />
    <path d="M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2" />
  </Svg>
)
export const RetryIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="M20 11a8 8 0 1 0-2.3 5.7" />
    <path d="M20 4v7h-7" />
  </Svg>
)
export const ToolIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z" />
  </Svg>
)
export const InfoIcon = (): ReactElement => (
  <Svg size={16}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 11v5M12 8h.01" />
  </Svg>
)
export const WarningIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" />
    <path d="M12 9v4M12 17h.01" />
  </Svg>
)
export const CheckIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="m5 12 5 5 9-10" />
  </Svg>
)
export const SparkleIcon = (): ReactElement => (
  <Svg size={16}>
    <path d="M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8z" />
  </Svg>
)
export const LinkIcon = (): ReactElement => (
  <Svg size={14}>
    <path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" />
  </Svg>
)
export const Spinner = (): ReactElement => <span className="ck-spinner" aria-hidden="true" />
