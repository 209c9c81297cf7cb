import type { VNode } from 'preact';
import type { Message } from './messages';
import { followLink } from './router';
import { view } from './view';

/** The answer to an action, next to the buttons that caused it; read out by screen readers. */
export function MessageLine({ message }: { message: Message | null }): VNode {
  return view`<p class=${`message ${message ? `message-${message.kind}` : ''}`} role="alert">
    ${message?.text ?? ''}
    ${
      message?.alertId &&
      view` <a href=${`/ui/alerts/${message.alertId}`} onClick=${followLink}>Open that alert</a>`
    }
  </p>`;
}
