/// <reference lib="dom" />
/**
 * The script of the web chat page (bundled by esbuild, served by the bot): it gets a token for a
 * new conversation (or uses the one a signed-in site put in the page), connects the official
 * Web Chat to the bot's own Direct Line endpoint, and styles it for the product, light or dark.
 */

interface WebChatGlobal {
  createDirectLine(options: { domain: string; token: string; webSocket: boolean }): unknown;
  renderWebChat(props: Record<string, unknown>, element: HTMLElement): void;
}

async function start(): Promise<void> {
  const root = document.getElementById('webchat');
  const status = document.getElementById('status');
  const webChat = (window as unknown as { WebChat?: WebChatGlobal }).WebChat;
  if (!root || !webChat) return;
  const { locale = 'en-US', nonce, brand = '', failed = '' } = root.dataset;
  try {
    const response = await fetch('/api/webchat/token', { method: 'POST' });
    if (!response.ok) throw new Error(`token: ${response.status}`);
    // Azure's Direct Line names its domain; the bot's own endpoint is on this page's origin.
    const { token, domain } = (await response.json()) as { token: string; domain?: string };
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    webChat.renderWebChat(
      {
        directLine: webChat.createDirectLine({
          domain: domain ?? `${location.origin}/v3/directline`,
          token,
          // The bot's own endpoint and Azure's both stream over a WebSocket; polling is the client's fallback.
          webSocket: true,
        }),
        locale,
        nonce,
        userID: `visitor-${crypto.randomUUID()}`,
        styleOptions: styleFor(dark, brand),
      },
      root,
    );
    // Direct Line tokens last 30 minutes; the Direct Line client refreshes them by itself.
    status?.remove();
  } catch {
    if (status) status.textContent = failed;
  }
}

function styleFor(dark: boolean, brand: string): Record<string, unknown> {
  // Dark enough for white text on it (contrast above 4.5:1).
  const accent = '#b00710';
  return {
    accent,
    botAvatarInitials: brand.slice(0, 2).toUpperCase(),
    userAvatarInitials: '',
    backgroundColor: dark ? '#141414' : '#ffffff',
    bubbleBackground: dark ? '#262626' : '#f2f2f2',
    bubbleTextColor: dark ? '#f5f5f5' : '#1a1a1a',
    bubbleBorderRadius: 8,
    bubbleFromUserBackground: accent,
    bubbleFromUserTextColor: '#ffffff',
    bubbleFromUserBorderRadius: 8,
    sendBoxBackground: dark ? '#1f1f1f' : '#ffffff',
    sendBoxTextColor: dark ? '#f5f5f5' : '#1a1a1a',
    sendBoxButtonColor: dark ? '#f5f5f5' : '#1a1a1a',
    suggestedActionBackgroundColor: dark ? '#1f1f1f' : '#ffffff',
    suggestedActionBorderColor: accent,
    suggestedActionTextColor: dark ? '#ffffff' : '#b00710',
    suggestedActionLayout: 'flow',
    hideUploadButton: true,
    primaryFont: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
  };
}

void start();
