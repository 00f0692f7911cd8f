// The options of the chat UI, named and shaped like the official ChatKit component's
// (`@openai/chatkit` `ChatKitOptions`), so that a page can switch either way with a small change.
// Only the custom-backend subset applies: there are no client secrets here.
import type { UserMessageContent } from '../gen/chatkit'
import type { ApiConfig } from './client'

/** `light` or `dark`; absent follows the operating system. */
export type ColorScheme = 'light' | 'dark'

/** The `theme` option in its object form. */
export interface ThemeOption {
  colorScheme?: ColorScheme
  /** Accent colour (any CSS colour), as `color.accent.primary` in the official options. */
  color?: { accent?: { primary?: string } }
  /** Corner style. */
  radius?: 'pill' | 'round' | 'soft' | 'sharp'
  /** Spacing. */
  density?: 'compact' | 'normal' | 'spacious'
}

/** A suggested prompt on the start screen. */
export interface StartScreenPrompt {
  /** What the button says; the prompt itself when absent. */
  label?: string
  /** What is sent when the prompt is picked. */
  prompt: string | UserMessageContent[]
  /** Ignored (icons by name come with the widgets issue). */
  icon?: string
}

/** The start screen, shown while a thread has no items. */
export interface StartScreenOption {
  greeting?: string
  prompts?: StartScreenPrompt[]
}

/** A model the user may pick in the composer (sent as `inference_options.model`). */
export interface ComposerModel {
  id: string
  label: string
  description?: string
  default?: boolean
}

/** The composer. */
export interface ComposerOption {
  placeholder?: string
  models?: ComposerModel[]
}

/** The thread history panel. */
export interface HistoryOption {
  enabled?: boolean
  showDelete?: boolean
  showRename?: boolean
}

/** The header above the conversation. */
export interface HeaderOption {
  enabled?: boolean
  title?: { enabled?: boolean; text?: string }
}

/** Actions offered on assistant messages. */
export interface ThreadItemActionsOption {
  feedback?: boolean
  retry?: boolean
}

/** A client tool call as the page's handler receives it. */
export interface ClientToolCall {
  name: string
  params: Record<string, unknown>
}

/** Answers a client tool call; what it returns (JSON) is sent back as the tool's output. */
export type ClientToolHandler = (toolCall: ClientToolCall) => unknown

/** Everything the chat accepts. Only `api` is required. */
export interface ChatKitRsOptions {
  api: ApiConfig
  theme?: ColorScheme | ThemeOption
  /** The thread to open first; `null` or absent starts a new one. */
  initialThread?: string | null
  header?: HeaderOption
  history?: HistoryOption
  startScreen?: StartScreenOption
  composer?: ComposerOption
  threadItemActions?: ThreadItemActionsOption
  /** One handler for every client tool, as the official `onClientTool`. */
  onClientTool?: ClientToolHandler
  /** Handlers by tool name; used when `onClientTool` is absent. */
  clientTools?: Record<string, (params: Record<string, unknown>) => unknown>
}

/** The colour scheme an option asks for, if any. */
export function colorSchemeOf(theme: ChatKitRsOptions['theme']): ColorScheme | undefined {
  if (theme === 'light' || theme === 'dark') return theme
  if (typeof theme === 'object') return theme.colorScheme
  return undefined
}
