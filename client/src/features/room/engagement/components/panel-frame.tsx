import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CloseIcon } from '../../../../components/icons';

/** A side panel of the room with its heading and close button. */
export function PanelFrame({ id, title, testId, onClose, children }: { id: string; title: string; testId: string; onClose: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <aside className="side-panel engagement-panel" aria-labelledby={id} data-testid={testId}>
      <header className="side-panel-header">
        <h2 id={id}>{title}</h2>
        <button type="button" className="icon-button" aria-label={t('room.closePanel')} onClick={onClose}>
          <CloseIcon size={18} />
        </button>
      </header>
      {children}
    </aside>
  );
}
