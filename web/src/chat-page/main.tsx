import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import '../styles.css'
import './chat-page.css'
import { ChatPage } from './ChatPage'

const root = document.getElementById('root')
if (!root) throw new Error('missing #root element')

createRoot(root).render(
  <StrictMode>
    <ChatPage />
  </StrictMode>,
)
