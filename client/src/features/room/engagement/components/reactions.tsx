import { REACTIONS, type Reaction } from '@contract';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SmileIcon } from '../../../../components/icons';
import type { EngagementFeed, ShownReaction } from '../api/engagement';
import '../engagement.css';

/** Translation keys of the fixed reaction set, in the contract's order. */
const NAMES: Record<Reaction, 'thumbsUp' | 'clap' | 'heart' | 'laugh' | 'surprised' | 'party' | 'hand'> = {
  '👍': 'thumbsUp',
  '👏': 'clap',
  '❤️': 'heart',
  '😂': 'laugh',
  '😮': 'surprised',
  '🎉': 'party',
  '🙋': 'hand',
};

/** A toolbar button that opens the row of reactions. */
export function ReactionsButton({ feed, onError }: { feed: EngagementFeed; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const id = useId();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (open) box.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [open]);

  return (
    <div
      className="reactions"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <button
        type="button"
        className={`ctl ctl-compact${open ? ' ctl-active' : ''}`}
        aria-expanded={open}
        aria-controls={id}
        aria-label={t('engagement.reactions.label')}
        title={t('engagement.reactions.open')}
        data-testid="reactions-toggle"
        onClick={() => setOpen((o) => !o)}
      >
        <SmileIcon />
        <span className="ctl-label" aria-hidden="true">
          {t('engagement.reactions.label')}
        </span>
      </button>
      {open && (
        <div ref={box} id={id} className="reaction-bar" role="group" aria-label={t('engagement.reactions.label')}>
          {REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              className="reaction-button"
              aria-label={t(`engagement.reactions.names.${NAMES[emoji]}`)}
              title={t(`engagement.reactions.names.${NAMES[emoji]}`)}
              data-testid="reaction"
              onClick={() => void feed.react(emoji).catch(onError)}
            >
              <span aria-hidden="true">{emoji}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** Reactions floating up over the stage for a few seconds; decoration, so hidden from screen readers. */
export function ReactionOverlay({ reactions }: { reactions: readonly ShownReaction[] }) {
  return (
    <div className="reaction-overlay" aria-hidden="true" data-testid="reaction-overlay">
      {reactions.map((r) => (
        <span key={r.id} className="floating-reaction" data-testid="floating-reaction" style={{ ['--lane' as string]: (r.id * 37) % 80 }}>
          {r.emoji}
        </span>
      ))}
    </div>
  );
}
