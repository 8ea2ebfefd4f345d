import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';

interface LeaveDialogProps {
  onLeave: () => void;
  onEndForAll: () => Promise<void>;
  onCancel: () => void;
}

/** A host leaving chooses: leave alone (the meeting goes on) or end the meeting for everyone. */
export function LeaveDialog({ onLeave, onEndForAll, onCancel }: LeaveDialogProps) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // A modal dialog keeps focus inside and closes on Escape; focus then goes back to the Leave button
  // (once the dialog is gone from the page, since nothing outside a modal dialog can take focus).
  useEffect(() => {
    const el = dialog.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (el && !el.open) el.showModal();
    return () => {
      el?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const end = async () => {
    setBusy(true);
    setError(null);
    try {
      await onEndForAll();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="leave-dialog"
      aria-labelledby="leave-dialog-title"
      aria-describedby="leave-dialog-body"
      data-testid="leave-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="leave-dialog-title">{t('room.leaveDialog.title')}</h2>
      <p id="leave-dialog-body">{t('room.leaveDialog.body')}</p>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" className="button button-primary" disabled={busy} data-testid="leave-alone" onClick={onLeave}>
          {t('room.leaveDialog.leave')}
        </button>
        <button type="button" className="button button-danger" disabled={busy} data-testid="leave-end-for-all" onClick={() => void end()}>
          {t('room.leaveDialog.endForAll')}
        </button>
        <button type="button" className="button" disabled={busy} onClick={onCancel}>
          {t('room.leaveDialog.cancel')}
        </button>
      </div>
    </dialog>
  );
}
