// Over 400 lines on purpose: the room's one screen (header, banners, tiles, toolbar, panels) and the
// keyboard and layout logic that ties them together.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { ApiError, asApiError } from '../../../lib/api';
import type { RemotePeer, RoomSession, RoomSnapshot } from '../session/room-session';
import { captureProblem } from '../hooks/use-preview-media';
import { useLeaveOnUnmount, useRoomSnapshot } from '../hooks/use-room-session';
import { useElementSize } from '../hooks/use-element-size';
import { gridColumns } from '../layout';
import { ExitFullscreenIcon, FullscreenIcon, GridIcon, LeaveIcon, MicIcon, MicOffIcon, PeopleIcon, ScreenIcon, SettingsIcon, SpeakerLayoutIcon, VideoIcon, VideoOffIcon } from '../../../components/icons';
import { LobbyNotice } from './lobby-notice';
import { BreakoutNotices } from '../stage/components/breakout-panel';
import { AddonOverlays, AddonPanels, AddonToolbar, useRoomAddons, type AddonPanel } from '../stage/components/room-addons';
import { StageInvitationDialog } from '../stage/components/stage-invitation';
import { RoomModeBadge } from '../../rooms';
import { canEndRoom, stageCommands } from '../stage/api/stage';
import { LeaveDialog } from './leave-dialog';
import { RemoteAudio } from './remote-audio';
import { ChannelPicker, floorLevel, InterpreterConsole } from './interpretation';
import { CaptionerConsole, CaptionsButton, CaptionsOverlay } from './captions';
import { useCaptions } from '../captions-api';
import { resumeAudio } from '../session/audio-mix';
import { SettingsPanel } from './settings-panel';
import { RecordButton, RecordingIndicator, RecordingNotices } from './recording';
import { useRecording } from '../hooks/use-recording';
import { VideoTile, type TileModel } from './video-tile';

type Layout = 'grid' | 'speaker';
type Panel = 'settings' | AddonPanel | null;

/** The toolbar button that opens a panel, where focus goes back when the panel closes. */
const toggleTestId = (panel: NonNullable<Panel>) => (panel === 'people' ? 'participants-toggle' : `${panel}-toggle`);

const canShareScreen = () => typeof navigator !== 'undefined' && Boolean(navigator.mediaDevices?.getDisplayMedia);

function peerScore(peer: RemotePeer): number | null {
  const scores = Object.values(peer.media)
    .map((m) => m.score)
    .filter((s): s is number => s !== null);
  return scores.length ? Math.min(...scores) : null;
}

function selfScore(snap: RoomSnapshot): number | null {
  const scores = Object.values(snap.local.scores);
  return scores.length ? Math.min(...scores) : null;
}

export function personTiles(snap: RoomSnapshot): TileModel[] {
  const self: TileModel = {
    key: 'self',
    peerId: snap.selfPeerId ?? 'self',
    name: snap.displayName,
    kind: 'camera',
    isSelf: true,
    track: snap.canPublish ? snap.local.camera : null,
    consumerId: null,
    layered: false,
    micMuted: snap.local.micMuted || !snap.canPublish,
    speaking: snap.selfPeerId !== null && snap.speaking.has(snap.selfPeerId),
    score: selfScore(snap),
  };
  const others = snap.peers.map((p): TileModel => {
    const camera = p.media.camera;
    const shown = camera && !camera.paused ? camera : null;
    return {
      key: p.peerId,
      peerId: p.peerId,
      name: p.displayName,
      kind: 'camera',
      isSelf: false,
      track: shown?.track ?? null,
      consumerId: shown?.consumerId ?? null,
      layered: shown?.layered ?? false,
      micMuted: !p.media.mic || p.media.mic.paused,
      // The dominant speaker stays marked between sentences, but never while muted.
      speaking: Boolean(p.media.mic && !p.media.mic.paused) && (snap.speaking.has(p.peerId) || snap.activeSpeaker === p.peerId),
      score: peerScore(p),
    };
  });
  return [self, ...others];
}

export function screenTiles(snap: RoomSnapshot): TileModel[] {
  const remote = snap.peers.flatMap((p): TileModel[] => {
    const screen = p.media.screen;
    if (!screen) return [];
    return [
      {
        key: `screen-${p.peerId}`,
        peerId: p.peerId,
        name: p.displayName,
        kind: 'screen',
        isSelf: false,
        track: screen.paused ? null : screen.track,
        consumerId: screen.consumerId,
        layered: screen.layered,
        micMuted: false,
        speaking: false,
        score: screen.score,
      },
    ];
  });
  const local: TileModel[] = snap.local.screen
    ? [
        {
          key: 'screen-self',
          peerId: snap.selfPeerId ?? 'self',
          name: snap.displayName,
          kind: 'screen',
          isSelf: true,
          track: snap.local.screen,
          consumerId: null,
          layered: false,
          micMuted: false,
          speaking: false,
          score: snap.local.scores.screen ?? null,
        },
      ]
    : [];
  return [...remote, ...local];
}

interface RoomViewProps {
  session: RoomSession;
  roomName: string;
  onLeave: () => void;
  /** The server ended our participation (a host removed us, or ended the meeting). */
  onEnded: (reason: 'removed' | 'ended') => void;
}

/** The meeting itself: tiles, controls, side panels. */
export function RoomView({ session, roomName, onLeave, onEnded }: RoomViewProps) {
  const { t } = useTranslation();
  const snap = useRoomSnapshot(session);
  useLeaveOnUnmount(session);
  const addons = useRoomAddons(session, snap);
  const captions = useCaptions(session.roomId, snap.status, snap.stage.breakout?.yourGroup ?? null);
  const [layout, setLayout] = useState<Layout>('grid');
  const [panel, setPanel] = useState<Panel>(null);
  const [pinned, setPinned] = useState<string | null>(null);
  const [audioBlocked, setAudioBlocked] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<{ mic?: boolean; camera?: boolean; screen?: boolean }>({});
  const lastSpeaker = useRef<string | null>(null);
  const stage = useRef<HTMLDivElement>(null);
  const roomEl = useRef<HTMLDivElement>(null);
  const [fullscreen, setFullscreen] = useState(false);
  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void roomEl.current?.requestFullscreen().catch(() => undefined);
  };
  const { width: stageWidth, height: stageHeight } = useElementSize(stage);
  const heading = useRef<HTMLHeadingElement>(null);
  const [leaving, setLeaving] = useState(false);

  // Joining replaces the lobby (and its focused Join button): start from the room's name.
  useEffect(() => heading.current?.focus(), []);

  // An opened panel takes the focus; a closed one hands it back to the button that opened it.
  const shownPanel = useRef<Panel>(null);
  useEffect(() => {
    const previous = shownPanel.current;
    shownPanel.current = panel;
    const root = roomEl.current;
    if (!root || previous === panel) return;
    if (panel) {
      const el = root.querySelector<HTMLElement>('.room-body > .side-panel');
      if (!el) return;
      el.tabIndex = -1;
      el.focus();
    } else if (previous && (document.activeElement === null || document.activeElement === document.body)) {
      root.querySelector<HTMLElement>(`[data-testid="${toggleTestId(previous)}"]`)?.focus();
    }
  }, [panel]);

  if (snap.activeSpeaker && snap.peers.some((p) => p.peerId === snap.activeSpeaker)) lastSpeaker.current = snap.activeSpeaker;

  // A webinar shows its stage only: hosts see the audience in the people panel, not as tiles.
  const audience = new Set(snap.mode === 'webinar' ? snap.peers.filter((p) => p.role === 'attendee').map((p) => p.peerId) : []);
  const people = personTiles(snap).filter((tile) => (tile.isSelf ? snap.mode === 'meeting' || snap.canPublish : !audience.has(tile.peerId)));
  const screens = screenTiles(snap);
  const remotePeople = people.filter((p) => !p.isSelf);

  let main: TileModel | null = null;
  let strip: TileModel[] = [];
  const pinnedTile = [...screens, ...people].find((tile) => tile.key === pinned);
  // Sign language, for those who chose it: pinned on the stage (nobody else receives it).
  const sign = snap.interpretation.listening.channel === 'sign' ? snap.interpretation.received.find((m) => m.kind === 'video' && m.live && m.track) : undefined;
  const signTile: TileModel | null = sign
    ? { key: 'sign', peerId: sign.peerId, name: t('interpretation.signTile', { name: sign.displayName }), kind: 'camera', isSelf: false, track: sign.track, consumerId: sign.consumerId, layered: true, micMuted: true, speaking: false, score: null }
    : null;
  if (signTile && !pinnedTile) {
    main = signTile;
    strip = [...screens, ...people];
  } else if (pinnedTile) {
    main = pinnedTile;
    strip = [...screens, ...people].filter((tile) => tile !== main);
  } else if (screens.length > 0) {
    // The newest remote share takes the stage; your own share only when nobody else shares.
    main = screens.filter((s) => !s.isSelf).at(-1) ?? screens.at(-1)!;
    strip = [...screens.filter((s) => s !== main), ...people];
  } else if (layout === 'speaker' && remotePeople.length > 0) {
    main = remotePeople.find((p) => p.peerId === lastSpeaker.current) ?? remotePeople[0]!;
    strip = people.filter((p) => p !== main);
  }

  const togglePin = (key: string) => setPinned((current) => (current === key ? null : key));

  const run = async (what: 'mic' | 'camera' | 'screen', action: () => Promise<void>) => {
    setBusy((b) => ({ ...b, [what]: true }));
    setNotice(null);
    try {
      await action();
    } catch (e) {
      if (what === 'screen' && e instanceof DOMException && e.name === 'NotAllowedError') return; // the picker was cancelled
      if (e instanceof ApiError) {
        // The server said no (say, a host muted everyone and self-unmute is off).
        setNotice(t(`errors.${e.code}`));
        return;
      }
      const device = t(`room.devices.${what === 'screen' ? 'screen' : what}`);
      setNotice(t(`room.problem.${captureProblem(e)}`, { device }));
    } finally {
      setBusy((b) => ({ ...b, [what]: false }));
    }
  };

  const micMuted = snap.local.micMuted;
  const offStage = !snap.canPublish;
  const cameraOn = snap.local.camera !== null;
  const sharing = snap.local.screen !== null;
  const toggleMic = () => void run('mic', () => session.setMicMuted(!micMuted));
  const toggleCamera = () => void run('camera', () => session.setCameraOn(!cameraOn));
  const toggleScreen = () => void run('screen', () => (sharing ? session.stopScreenShare() : session.startScreenShare()));

  const ended = snap.status === 'left' ? snap.endedBy : null;
  useEffect(() => {
    if (ended) onEnded(ended);
  }, [ended, onEnded]);

  // Jitsi's single-key shortcuts: M for the microphone, V for the camera.
  const shortcuts = useRef({ toggleMic, toggleCamera });
  shortcuts.current = { toggleMic, toggleCamera };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setPanel(null);
      if (e.altKey || e.ctrlKey || e.metaKey || e.repeat) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, select, textarea, [contenteditable="true"]')) return;
      if (e.code === 'KeyM') shortcuts.current.toggleMic();
      else if (e.code === 'KeyV') shortcuts.current.toggleCamera();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const canEnd = canEndRoom(snap.role, snap.mode);
  const count = snap.stage.participants ?? snap.peers.length + 1;
  const cols = gridColumns(people.length, stageWidth > 0 && stageHeight > 0 ? stageWidth / stageHeight : 16 / 9);
  const sinkId = snap.devices.audioOutputId;
  const floor = floorLevel(snap);
  const reportError = (e: unknown) => setNotice(t(`errors.${asApiError(e).code}`));
  const rec = useRecording(snap.status, snap.role, snap.mode, reportError);

  return (
    <div ref={roomEl} className="room" data-testid="room" data-status={snap.status} data-layout={main ? (main.kind === 'screen' ? 'spotlight' : 'speaker') : 'grid'}>
      <nav className="room-skip" aria-label={t('room.skip.label')}>
        {addons.gov.openBallots.length > 0 && (
          <a href="#room-ballots" className="skip-link" data-testid="skip-to-ballot">
            {t('room.skip.ballot')}
          </a>
        )}
        <a href="#room-controls" className="skip-link">
          {t('room.skip.controls')}
        </a>
      </nav>
      <header className="room-header">
        <h1 className="room-title" ref={heading} tabIndex={-1}>
          <bdi>{roomName}</bdi>
        </h1>
        <RoomModeBadge mode={snap.mode} />
        <RecordingIndicator rec={rec} />
        {snap.guest && (
          <span className="badge" data-testid="self-guest">
            {t('room.guest.youAre')}
          </span>
        )}
        <span className="room-count" data-testid="participant-count">
          <PeopleIcon size={16} /> {t('room.count', { n: count })}
        </span>
        {sharing && (
          <span className="room-sharing" role="status">
            <ScreenIcon size={16} /> {t('room.youAreSharing')}
          </span>
        )}
      </header>

      {(snap.status === 'reconnecting' || snap.status === 'joining') && (
        <div className="room-banner" role="status" data-testid="reconnecting">
          {t('room.reconnecting')}
        </div>
      )}
      {snap.mediaUnreachable && snap.status !== 'left' && (
        <div className="room-banner room-banner-error" role="alert" data-testid="media-unreachable">
          {t('room.mediaUnreachable')}
        </div>
      )}
      {snap.status === 'failed' && (
        <div className="room-banner room-banner-error">
          <ErrorMessage error={new ApiError(snap.error ?? 'INTERNAL', '')} />
        </div>
      )}
      {audioBlocked && (
        <div className="room-banner">
          <span>{t('room.audioBlocked')}</span>
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              document.querySelectorAll<HTMLAudioElement>('audio[data-testid="remote-audio"]').forEach((a) => void a.play().catch(() => undefined));
              void resumeAudio().catch(() => undefined);
              setAudioBlocked(false);
            }}
          >
            {t('room.enableAudio')}
          </button>
        </div>
      )}
      <StageInvitationDialog session={session} snap={snap} />
      {offStage && snap.status === 'joined' && (
        <div className="room-banner" role="status" data-testid="audience-notice">
          {t('room.audienceOnly')}
        </div>
      )}
      <BreakoutNotices session={session} snap={snap} />
      <RecordingNotices rec={rec} />
      {snap.notice && (
        <div className="room-banner" role="alert" data-testid="host-muted">
          <span>{t(`room.hostMuted.${snap.notice.source}`)}</span>
          <button type="button" className="button button-small" onClick={() => session.dismissNotice()}>
            {t('room.dismiss')}
          </button>
        </div>
      )}
      {notice && (
        <div className="room-banner room-banner-error" role="alert">
          <span>{notice}</span>
          <button type="button" className="button button-small" onClick={() => setNotice(null)}>
            {t('room.dismiss')}
          </button>
        </div>
      )}

      <div className="room-body">
        {/* First in reading order (drawn over the stage): an open ballot is a few Tab stops from the room's name. */}
        <div id="room-ballots" tabIndex={-1} className="room-overlays">
          <AddonOverlays addons={addons} />
        </div>
        <div className="stage" ref={stage}>
          {main ? (
            <div className="spotlight">
              <div className="spotlight-main">
                <VideoTile key={main.key} tile={main} session={session} variant="main" pinned={main.key === pinned} onTogglePin={() => togglePin(main!.key)} />
              </div>
              <div className="strip" role="list" aria-label={t('room.participants')}>
                {strip.map((tile) => (
                  <div role="listitem" key={tile.key} className="strip-item">
                    <VideoTile tile={tile} session={session} variant="strip" pinned={false} onTogglePin={() => togglePin(tile.key)} />
                  </div>
                ))}
              </div>
            </div>
          ) : people.length === 0 ? (
            <p className="stage-empty" role="status" data-testid="stage-empty">
              {t('stage.waitingForStage')}
            </p>
          ) : (
            <div className="grid" role="list" aria-label={t('room.participants')} style={{ ['--cols' as string]: cols, ['--rows' as string]: Math.ceil(people.length / cols) }}>
              {people.map((tile) => (
                <div role="listitem" key={tile.key} className="grid-item">
                  <VideoTile tile={tile} session={session} variant="grid" pinned={false} onTogglePin={() => togglePin(tile.key)} />
                </div>
              ))}
            </div>
          )}
          <CaptionsOverlay view={captions.view} snap={snap} />
        </div>
        <LobbyNotice lobby={snap.stage.lobby} onOpen={() => setPanel('people')} />
        <AddonPanels addons={addons} snap={snap} roomId={session.roomId} panel={panel} onClose={() => setPanel(null)} />
        {panel === 'settings' && <SettingsPanel session={session} snap={snap} captions={captions} onClose={() => setPanel(null)} />}
      </div>

      <div className="remote-audio" aria-hidden="true">
        {snap.peers.flatMap((p) =>
          (['mic', 'screen-audio'] as const).flatMap((source) => {
            const track = p.media[source]?.track;
            return track ? [<RemoteAudio key={`${p.peerId}-${source}-${track.id}`} track={track} level={floor} sinkId={sinkId} onBlocked={() => setAudioBlocked(true)} />] : [];
          }),
        )}
        {snap.interpretation.received.flatMap((m) =>
          m.kind === 'audio' && m.track ? [<RemoteAudio key={`channel-${m.producerId}-${m.track.id}`} track={m.track} sinkId={sinkId} onBlocked={() => setAudioBlocked(true)} />] : [],
        )}
      </div>

      <InterpreterConsole session={session} snap={snap} onError={reportError} />
      <CaptionerConsole feed={captions.feed} view={captions.view} />
      <nav id="room-controls" tabIndex={-1} className="toolbar" aria-label={t('room.controls')}>
        <div className="toolbar-group">
          <button
            type="button"
            className={`ctl${micMuted ? ' ctl-off' : ''}`}
            data-testid="mic-toggle"
            data-muted={micMuted}
            aria-label={micMuted ? t('room.ctl.unmute') : t('room.ctl.mute')}
            title={`${micMuted ? t('room.ctl.unmuteLong') : t('room.ctl.muteLong')} (M)`}
            disabled={busy.mic || offStage}
            onClick={toggleMic}
          >
            {micMuted ? <MicOffIcon /> : <MicIcon />}
            <span className="ctl-label" aria-hidden="true">
              {micMuted ? t('room.ctl.unmute') : t('room.ctl.mute')}
            </span>
          </button>
          <button
            type="button"
            className={`ctl${cameraOn ? '' : ' ctl-off'}`}
            data-testid="camera-toggle"
            data-on={cameraOn}
            aria-label={cameraOn ? t('room.ctl.stopVideo') : t('room.ctl.startVideo')}
            title={`${cameraOn ? t('room.ctl.stopVideoLong') : t('room.ctl.startVideoLong')} (V)`}
            disabled={busy.camera || offStage}
            onClick={toggleCamera}
          >
            {cameraOn ? <VideoIcon /> : <VideoOffIcon />}
            <span className="ctl-label" aria-hidden="true">
              {cameraOn ? t('room.ctl.stopVideo') : t('room.ctl.startVideo')}
            </span>
          </button>
          {canShareScreen() && (
            <button
              type="button"
              className={`ctl${sharing ? ' ctl-active' : ''}`}
              data-testid="screen-toggle"
              data-on={sharing}
              aria-label={sharing ? t('room.ctl.stopShare') : t('room.ctl.share')}
              title={sharing ? t('room.ctl.stopShareLong') : t('room.ctl.shareLong')}
              disabled={busy.screen || offStage}
              onClick={toggleScreen}
            >
              <ScreenIcon />
              <span className="ctl-label" aria-hidden="true">
                {sharing ? t('room.ctl.stopShare') : t('room.ctl.share')}
              </span>
            </button>
          )}
        </div>
        <div className="toolbar-group">
          <AddonToolbar
            addons={addons}
            snap={snap}
            panel={panel}
            onToggle={(p) => setPanel((current) => (current === p ? null : p))}
            onError={reportError}
          />
          <ChannelPicker session={session} snap={snap} onError={reportError} />
          <CaptionsButton feed={captions.feed} view={captions.view} snap={snap} />
          <RecordButton rec={rec} />
        </div>
        <div className="toolbar-group">
          <button
            type="button"
            className="ctl"
            data-testid="layout-toggle"
            aria-label={layout === 'grid' ? t('room.ctl.speakerView') : t('room.ctl.gridView')}
            title={layout === 'grid' ? t('room.ctl.speakerViewLong') : t('room.ctl.gridViewLong')}
            disabled={screens.length > 0}
            onClick={() => setLayout((l) => (l === 'grid' ? 'speaker' : 'grid'))}
          >
            {layout === 'grid' ? <SpeakerLayoutIcon /> : <GridIcon />}
            <span className="ctl-label" aria-hidden="true">
              {layout === 'grid' ? t('room.ctl.speakerView') : t('room.ctl.gridView')}
            </span>
          </button>
          {document.fullscreenEnabled && (
            <button
              type="button"
              className="ctl"
              data-testid="fullscreen-toggle"
              aria-label={fullscreen ? t('room.ctl.exitFullscreen') : t('room.ctl.fullscreen')}
              title={fullscreen ? t('room.ctl.exitFullscreenLong') : t('room.ctl.fullscreenLong')}
              onClick={toggleFullscreen}
            >
              {fullscreen ? <ExitFullscreenIcon /> : <FullscreenIcon />}
              <span className="ctl-label" aria-hidden="true">
                {fullscreen ? t('room.ctl.exitFullscreen') : t('room.ctl.fullscreen')}
              </span>
            </button>
          )}
          <button
            type="button"
            className={`ctl${panel === 'people' ? ' ctl-active' : ''}`}
            data-testid="participants-toggle"
            aria-pressed={panel === 'people'}
            aria-label={`${t('room.ctl.participants')} ${count}`}
            title={t('room.ctl.participantsLong', { n: count })}
            onClick={() => setPanel((p) => (p === 'people' ? null : 'people'))}
          >
            <PeopleIcon />
            <span className="ctl-label" aria-hidden="true">
              {t('room.ctl.participants')} <span className="ctl-badge">{count}</span>
            </span>
          </button>
          <button
            type="button"
            className={`ctl${panel === 'settings' ? ' ctl-active' : ''}`}
            data-testid="settings-toggle"
            aria-pressed={panel === 'settings'}
            aria-label={t('room.ctl.settings')}
            title={t('room.ctl.settingsLong')}
            onClick={() => setPanel((p) => (p === 'settings' ? null : 'settings'))}
          >
            <SettingsIcon />
            <span className="ctl-label" aria-hidden="true">
              {t('room.ctl.settings')}
            </span>
          </button>
        </div>
        <div className="toolbar-group">
          <button
            type="button"
            className="ctl ctl-leave"
            data-testid="leave"
            aria-label={t('room.ctl.leave')}
            title={t('room.ctl.leaveLong')}
            aria-haspopup={canEnd ? 'dialog' : undefined}
            onClick={canEnd ? () => setLeaving(true) : onLeave}
          >
            <LeaveIcon />
            <span className="ctl-label" aria-hidden="true">
              {t('room.ctl.leave')}
            </span>
          </button>
        </div>
      </nav>
      {leaving && (
        <LeaveDialog
          onLeave={onLeave}
          // Everyone, this page included, is then told the room ended.
          onEndForAll={() => stageCommands.end().then(() => undefined)}
          onCancel={() => setLeaving(false)}
        />
      )}
    </div>
  );
}
