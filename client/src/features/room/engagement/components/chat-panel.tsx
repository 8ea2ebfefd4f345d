import { CHAT_MAX_LENGTH, type ChatAudience } from '@contract';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../../components/error-message';
import { isolate, useFormat } from '../../../../lib/format';
import type { RoomSnapshot } from '../../session/room-session';
import { isModerator } from '../../stage/api/stage';
import { TrashIcon } from '../../../../components/icons';
import type { EngagementFeed, EngagementState } from '../api/engagement';
import { PanelFrame } from './panel-frame';
import '../engagement.css';

interface Props {
  feed: EngagementFeed;
  state: EngagementState;
  snap: RoomSnapshot;
  onClose: () => void;
}

/** Room chat: to everyone or to the hosts only. Messages are plain text; moderators can delete them. */
export function ChatPanel({ feed, state, snap, onClose }: Props) {
  const { t } = useTranslation();
  const format = useFormat();
  const [body, setBody] = useState('');
  const [audience, setAudience] = useState<ChatAudience>('everyone');
  const [error, setError] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  const inputId = useId();
  const moderator = isModerator(snap.role);

  useEffect(() => {
    feed.setChatOpen(true);
    return () => feed.setChatOpen(false);
  }, [feed]);

  // Follow new messages unless the reader scrolled up to read older ones.
  useLayoutEffect(() => {
    const el = list.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [state.chat.length]);

  const send = async () => {
    const text = body.trim();
    if (!text) return;
    setSending(true);
    setError(null);
    try {
      await feed.sendChat(text, audience);
      setBody('');
      stick.current = true;
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  };

  return (
    <PanelFrame id="chat-title" title={t('engagement.chat.title')} testId="chat-panel" onClose={onClose}>
      <div className="chat">
        {state.chatHasMore && (
          <button type="button" className="button button-small" onClick={() => void feed.loadEarlierChat().catch(setError)}>
            {t('engagement.chat.earlier')}
          </button>
        )}
        <ol
          ref={list}
          className="chat-list"
          aria-live="polite"
          aria-relevant="additions"
          aria-label={t('engagement.chat.messages')}
          onScroll={(e) => {
            const el = e.currentTarget;
            stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          }}
        >
          {state.chat.length === 0 && <li className="muted small">{t('engagement.chat.empty')}</li>}
          {state.chat.map((m) => (
            <li key={m.id} className={`chat-message${m.audience === 'hosts' ? ' chat-hosts' : ''}`} data-testid="chat-message" data-audience={m.audience}>
              <div className="chat-meta">
                <span className="chat-sender">
                  <bdi>{m.senderName}</bdi>
                </span>
                <time dateTime={m.createdAt} className="muted small">
                  {format.time(m.createdAt)}
                </time>
                {m.audience === 'hosts' && <span className="chat-tag">{t('engagement.chat.toHosts')}</span>}
                {moderator && (
                  <button
                    type="button"
                    className="icon-button chat-delete"
                    aria-label={t('engagement.chat.delete', { name: isolate(m.senderName) })}
                    title={t('engagement.chat.delete', { name: isolate(m.senderName) })}
                    data-testid="chat-delete"
                    onClick={() => void feed.deleteChat(m.id).catch(setError)}
                  >
                    <TrashIcon size={15} />
                  </button>
                )}
              </div>
              {/* Plain text as sent: React escapes it, CSS keeps its line breaks. */}
              <p className="chat-body" dir="auto">
                {m.body}
              </p>
            </li>
          ))}
        </ol>
        <ErrorMessage error={error} />
        <form
          className="chat-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <label htmlFor={inputId} className="visually-hidden">
            {t('engagement.chat.message')}
          </label>
          <textarea
            id={inputId}
            value={body}
            rows={2}
            maxLength={CHAT_MAX_LENGTH}
            placeholder={t('engagement.chat.placeholder')}
            data-testid="chat-input"
            onChange={(e) => setBody(e.target.value)}
            onKeyDown={(e) => {
              // Enter sends, Shift+Enter starts a new line (and an IME composition is left alone).
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void send();
              }
            }}
          />
          <div className="chat-form-row">
            <select
              className="chat-audience"
              value={audience}
              onChange={(e) => setAudience(e.target.value as ChatAudience)}
              data-testid="chat-audience"
              aria-label={t('engagement.chat.audience')}
            >
              <option value="everyone">{t('engagement.chat.everyone')}</option>
              <option value="hosts">{t('engagement.chat.hostsOnly')}</option>
            </select>
            <button type="submit" className="button button-small button-primary" disabled={sending || body.trim() === ''} data-testid="chat-send">
              {t('engagement.chat.send')}
            </button>
          </div>
        </form>
      </div>
    </PanelFrame>
  );
}
