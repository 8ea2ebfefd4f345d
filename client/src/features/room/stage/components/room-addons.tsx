import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoomSession, RoomSnapshot } from '../../session/room-session';
import { useEngagement, type EngagementFeed, type EngagementState } from '../../engagement/api/engagement';
import { ChatPanel } from '../../engagement/components/chat-panel';
import { PollsPanel } from '../../engagement/components/polls-panel';
import { QaPanel } from '../../engagement/components/qa-panel';
import { ReactionOverlay, ReactionsButton } from '../../engagement/components/reactions';
import { MeetingRoomPanel, RoomBallotOverlay, useRoomGovernance, type RoomGovernance } from '../../../governance';
import { stageOf, type Stage } from '../api/stage';
import { HandButton, StepDownButton } from './hand-button';
import { BallotIcon, ChatIcon, GridIcon, PollIcon, QuestionIcon } from '../../../../components/icons';
import { canManageBreakouts, chatScopeOf } from '../api/breakouts';
import { BreakoutPanel } from './breakout-panel';
import { StagePanel } from './stage-panel';

/**
 * What the room view gets from the stage, engagement and governance features: toolbar buttons, side
 * panels and overlays over the stage. The room view owns which panel is open.
 */
export type AddonPanel = 'people' | 'chat' | 'qa' | 'polls' | 'meeting' | 'breakouts';

export interface RoomAddons {
  stage: Stage;
  engagement: { feed: EngagementFeed; state: EngagementState };
  gov: RoomGovernance;
}

export function useRoomAddons(session: RoomSession, snap: RoomSnapshot): RoomAddons {
  const stage = stageOf(session, snap);
  const engagement = useEngagement(() => session.snapshot().selfPeerId, snap.status, chatScopeOf(snap.stage.breakout));
  const gov = useRoomGovernance(session.roomId);
  return { stage, engagement, gov };
}

interface ToolbarProps {
  addons: RoomAddons;
  snap: RoomSnapshot;
  panel: string | null;
  onToggle: (panel: AddonPanel) => void;
  onError: (e: unknown) => void;
}

/** Raise hand and reactions, then the buttons of the engagement and meeting panels. */
export function AddonToolbar({ addons, snap, panel, onToggle, onError }: ToolbarProps) {
  const { t } = useTranslation();
  const { state } = addons.engagement;
  const openPolls = state.polls.filter((p) => p.status === 'open' && !p.voted).length;
  const openQuestions = state.questions.filter((q) => q.status === 'open' || q.status === 'answering').length;
  const openBallots = addons.gov.openBallots.length;
  const button = (id: AddonPanel, icon: ReactNode, short: string, long: string, badge: number) => (
    <button
      type="button"
      className={`ctl ctl-compact${panel === id ? ' ctl-active' : ''}`}
      data-testid={`${id}-toggle`}
      aria-pressed={panel === id}
      aria-label={badge ? `${short} ${badge}` : short}
      title={long}
      onClick={() => onToggle(id)}
    >
      {icon}
      <span className="ctl-label" aria-hidden="true">
        {short}
        {badge > 0 && (
          <>
            {' '}
            <span className="ctl-badge">{badge}</span>
          </>
        )}
      </span>
    </button>
  );
  return (
    <>
      <HandButton snap={snap} stage={addons.stage} onError={onError} />
      <StepDownButton snap={snap} stage={addons.stage} onError={onError} />
      <ReactionsButton feed={addons.engagement.feed} onError={onError} />
      {button('chat', <ChatIcon />, t('engagement.chat.short'), t('engagement.chat.title'), state.unread)}
      {button('qa', <QuestionIcon />, t('engagement.qa.short'), t('engagement.qa.title'), openQuestions)}
      {button('polls', <PollIcon />, t('engagement.polls.short'), t('engagement.polls.title'), openPolls)}
      {(canManageBreakouts(snap.role, snap.mode) || snap.stage.breakout !== null) &&
        button('breakouts', <GridIcon />, t('stage.breakout.short'), t('stage.breakout.title'), 0)}
      {addons.gov.meetingIds.length > 0 &&
        button('meeting', <BallotIcon />, t('governance.room.short'), t('governance.room.title'), openBallots)}
    </>
  );
}

interface PanelsProps {
  addons: RoomAddons;
  snap: RoomSnapshot;
  roomId: string;
  panel: string | null;
  onClose: () => void;
}

export function AddonPanels({ addons, snap, roomId, panel, onClose }: PanelsProps) {
  const { feed, state } = addons.engagement;
  switch (panel) {
    case 'people':
      return <StagePanel snap={snap} stage={addons.stage.state} onClose={onClose} />;
    case 'chat':
      return <ChatPanel feed={feed} state={state} snap={snap} onClose={onClose} />;
    case 'qa':
      return <QaPanel feed={feed} state={state} snap={snap} onClose={onClose} />;
    case 'polls':
      return <PollsPanel feed={feed} state={state} snap={snap} roomId={roomId} onClose={onClose} />;
    case 'meeting':
      return <MeetingRoomPanel gov={addons.gov} onClose={onClose} />;
    case 'breakouts':
      return <BreakoutPanel snap={snap} onClose={onClose} />;
    default:
      return null;
  }
}

/** Over the stage: floating reactions and the ballot of the meeting held in the room. */
export function AddonOverlays({ addons }: { addons: RoomAddons }) {
  return (
    <>
      <ReactionOverlay reactions={addons.engagement.state.reactions} />
      <RoomBallotOverlay gov={addons.gov} />
    </>
  );
}
