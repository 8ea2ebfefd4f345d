import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoomSnapshot } from '../../session/room-session';
import { canRaiseHand, canStepDown, type Stage } from '../api/stage';
import { HandIcon } from '../../../../components/icons';

/** A webinar's panelist goes back to the audience; their camera and microphone are released. */
export function StepDownButton({ snap, stage, onError }: { snap: RoomSnapshot; stage: Stage; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  if (!canStepDown(snap.role, snap.mode)) return null;
  return (
    <button
      type="button"
      className="ctl ctl-compact"
      data-testid="stage-step-down"
      aria-label={t('stage.stepDownLong')}
      title={t('stage.stepDownLong')}
      disabled={busy || snap.status !== 'joined'}
      onClick={() => {
        setBusy(true);
        stage.stepDown().then(
          () => setBusy(false),
          (e: unknown) => (setBusy(false), onError(e)),
        );
      }}
    >
      <HandIcon />
      <span className="ctl-label" aria-hidden="true">
        {t('stage.stepDown')}
      </span>
    </button>
  );
}

/** Raise or lower your hand (attendees of a webinar; anyone but the host in a meeting). */
export function HandButton({ snap, stage, onError }: { snap: RoomSnapshot; stage: Stage; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  if (!canRaiseHand(snap.role, snap.mode)) return null;
  const raised = stage.state.handRaised;
  const label = raised ? t('stage.hand.lower') : t('stage.hand.raise');
  const hint = raised ? t('stage.hand.lowerLong') : t('stage.hand.raiseLong');
  const toggle = async () => {
    setBusy(true);
    try {
      await (raised ? stage.lowerHand() : stage.raiseHand());
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className={`ctl ctl-compact${raised ? ' ctl-active' : ''}`}
      data-testid="hand-toggle"
      data-raised={raised}
      aria-pressed={raised}
      aria-label={label}
      title={hint}
      disabled={busy || snap.status !== 'joined'}
      onClick={() => void toggle()}
    >
      <HandIcon />
      <span className="ctl-label" aria-hidden="true">
        {label}
      </span>
    </button>
  );
}
