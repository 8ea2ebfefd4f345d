import type { RoomPreviewDto } from '@contract';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { ApiError, asApiError } from '../../../lib/api';
import { canChooseSpeaker, RoomSession } from '../session/room-session';
import { connectSocket } from '../../../lib/socket';
import { useMe } from '../../auth';
import { RoomModeBadge } from '../../rooms';
import { loadDevicePreferences, saveDevicePreferences } from '../hooks/device-preferences';
import { useAudioLevel } from '../hooks/use-audio-level';
import { useMediaDevices } from '../hooks/use-media-devices';
import { usePreviewMedia, type CaptureProblem } from '../hooks/use-preview-media';
import { initials } from '../layout';
import { DeviceSelect, playTestSound } from './device-select';
import { SpeakerIcon, VideoOffIcon } from '../../../components/icons';
import { useVideoTrack } from './video-tile';

interface PreJoinProps {
  roomId: string;
  invite: string | null;
  preview: RoomPreviewDto;
  /** A guest's chosen name (they have no account to take it from). */
  guestName?: string | undefined;
  onJoined: (session: RoomSession) => void;
}

/** The lobby: check camera, microphone and speaker, pick a name, then join. */
export function PreJoin({ roomId, invite, preview, guestName, onJoined }: PreJoinProps) {
  const { t } = useTranslation();
  const me = useMe();
  const prefs = useMemo(loadDevicePreferences, []);
  const [joinMuted, setJoinMuted] = useState(false);
  const [cameraOff, setCameraOff] = useState(false);
  const [speakerId, setSpeakerId] = useState(prefs.audioOutputId);
  const [nameError, setNameError] = useState(false);
  const [joining, setJoining] = useState(false);
  const [joinError, setJoinError] = useState<unknown>(null);
  /** In the lobby: asked to join, waiting for a host. */
  const [waiting, setWaiting] = useState(false);
  const [denied, setDenied] = useState(false);
  // A webinar's audience only watches: no camera or microphone is touched until they accept an invitation on stage.
  const audience = preview.mode === 'webinar' && preview.role === 'attendee';
  const media = usePreviewMedia({ ...prefs, cameraOn: true, enabled: !audience });
  // Someone who never answers the browser's permission prompt can still join, without camera and mic.
  const [patienceOver, setPatienceOver] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setPatienceOver(true), 8_000);
    return () => clearTimeout(timer);
  }, []);
  // The connection is made while people check their camera, so pressing Join costs one round trip, not a handshake.
  useEffect(() => {
    connectSocket();
  }, []);
  const devices = useMediaDevices();
  const video = useVideoTrack(cameraOff ? null : media.camera);
  const meter = useRef<HTMLDivElement>(null);
  const nameId = useId();

  // Device names are only revealed once capture is allowed.
  const { refresh } = devices;
  useEffect(() => {
    if (media.ready) refresh();
  }, [media.ready, media.mic, media.camera, refresh]);

  useAudioLevel(joinMuted ? null : media.mic, (level) => {
    const el = meter.current;
    if (!el) return;
    const pct = Math.round(level * 100);
    el.style.setProperty('--level', `${pct}%`);
    el.setAttribute('aria-valuenow', String(pct));
  });

  // People appear under their account name (the server uses it whatever is sent), so nobody can pose as someone else.
  const displayName = guestName ?? me.data?.displayName ?? '';
  const micId = media.mic?.getSettings().deviceId ?? prefs.audioInputId;
  const cameraId = media.camera?.getSettings().deviceId ?? prefs.videoInputId;

  const toggleCamera = (off: boolean) => {
    setCameraOff(off);
    // Off means the camera light goes out, not just a hidden picture.
    if (off) media.stopCamera();
    else void media.switchCamera(cameraId);
  };

  const join = async () => {
    const trimmed = displayName.trim();
    if (trimmed.length < 1 || trimmed.length > 80) {
      setNameError(true);
      return;
    }
    setNameError(false);
    setJoining(true);
    setJoinError(null);
    setDenied(false);
    const chosen = { audioInputId: micId, videoInputId: cameraId, audioOutputId: speakerId, originalSound: prefs.originalSound };
    const tracks = media.handOver();
    const session = new RoomSession({
      roomId,
      inviteToken: invite ?? undefined,
      displayName: trimmed,
      mic: tracks.mic,
      micMuted: joinMuted,
      camera: cameraOff ? null : tracks.camera,
      devices: chosen,
    });
    try {
      await session.join();
      saveDevicePreferences(chosen);
      onJoined(session);
    } catch (e) {
      session.dispose();
      media.takeBack();
      setJoining(false);
      if (asApiError(e).code === 'LOBBY_WAITING') {
        setWaiting(true);
        return;
      }
      setWaiting(false);
      setJoinError(e);
    }
  };

  // In the lobby: a host's answer arrives on the socket. A new connection loses our place: ask again.
  const latestJoin = useRef(join);
  latestJoin.current = join;
  useEffect(() => {
    if (!waiting) return;
    const socket = connectSocket();
    const onAdmitted = (e: { roomId: string }) => {
      if (e.roomId !== roomId) return;
      setWaiting(false);
      void latestJoin.current();
    };
    const onDenied = (e: { roomId: string }) => {
      if (e.roomId !== roomId) return;
      setWaiting(false);
      setDenied(true);
    };
    const onReconnect = () => {
      if (!socket.recovered) void latestJoin.current();
    };
    socket.on('lobby:admitted', onAdmitted);
    socket.on('lobby:denied', onDenied);
    socket.on('connect', onReconnect);
    return () => {
      socket.off('lobby:admitted', onAdmitted);
      socket.off('lobby:denied', onDenied);
      socket.off('connect', onReconnect);
    };
  }, [waiting, roomId]);

  const problem = (device: 'camera' | 'mic', p: CaptureProblem | null) =>
    p && (
      <p className="field-error" role="alert" data-testid={`${device}-problem`}>
        {t(`room.problem.${p}`, { device: t(`room.devices.${device}`) })}
      </p>
    );

  const refused = !preview.canJoin && preview.reason;

  return (
    <div className="prejoin" data-testid="prejoin" data-audience={audience}>
      {audience ? (
        <section className="prejoin-media stack" aria-label={t('room.prejoin.preview')}>
          <div className="preview-video">
            <div className="preview-off">
              <span className="avatar-circle" aria-hidden="true">
                {initials(displayName)}
              </span>
              <span className="preview-off-text" data-testid="audience-prejoin-note">
                <VideoOffIcon size={18} /> {t('room.prejoin.audienceNote')}
              </span>
            </div>
          </div>
        </section>
      ) : (
        <section className="prejoin-media stack" aria-label={t('room.prejoin.preview')}>
          <div className="preview-video">
            {media.camera && !cameraOff ? (
              <video ref={video.ref} className="mirror" autoPlay playsInline muted data-testid="preview-video" />
            ) : (
              <div className="preview-off">
                <span className="avatar-circle" aria-hidden="true">
                  {initials(displayName)}
                </span>
                <span className="preview-off-text">
                  <VideoOffIcon size={18} /> {media.ready ? t('room.prejoin.cameraOff') : t('room.prejoin.starting')}
                </span>
              </div>
            )}
          </div>
          <div className="mic-meter-row">
            <span className="muted">{t('room.prejoin.micLevel')}</span>
            <div
              ref={meter}
              className="mic-meter"
              role="meter"
              aria-label={t('room.prejoin.micLevel')}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={0}
              data-testid="mic-meter"
            />
          </div>
          {window.isSecureContext ? (
            <>
              {problem('camera', media.cameraProblem)}
              {problem('mic', media.micProblem)}
            </>
          ) : (
            // Browsers give camera and microphone only to https:// pages and localhost: say so, once.
            <p className="field-error" role="alert" data-testid="insecure-context">
              {t('room.problem.insecure', { host: window.location.host })}
            </p>
          )}
        </section>
      )}

      <section className="card prejoin-panel stack" aria-labelledby="room-title">
        <div className="stack-tight">
          <p className="muted" data-testid="room-org">
            <bdi>{preview.organizationName}</bdi>
          </p>
          <h1 id="room-title" data-testid="room-name" className="room-item-title">
            <bdi>{preview.name}</bdi>
            <RoomModeBadge mode={preview.mode} />
          </h1>
          <p className="muted" data-testid="room-occupancy">
            {preview.participants === 0 ? t('room.prejoin.nobodyYet') : t('room.prejoin.inRoom', { n: preview.participants })}
          </p>
          <p>
            <Link to={`/archive/rooms/${roomId}`} data-testid="room-recordings-link">
              {t('archive.title')}
            </Link>
          </p>
        </div>

        <div className="field">
          <label htmlFor={nameId}>{t('room.prejoin.displayName')}</label>
          <input
            id={nameId}
            value={displayName}
            readOnly
            aria-invalid={nameError}
            aria-describedby={nameError ? `${nameId}-error` : undefined}
          />
          {nameError && (
            <p id={`${nameId}-error`} className="field-error">
              {t('validation.required')}
            </p>
          )}
        </div>

        {!audience && (
          <>
            <DeviceSelect
              label={t('room.devices.camera')}
              devices={devices.videoInputs}
              value={cameraId}
              onChange={(id) => void media.switchCamera(id)}
              fallbackName={(n) => t('room.devices.cameraN', { n })}
              testId="camera-select"
              disabled={cameraOff}
            />
            <DeviceSelect
              label={t('room.devices.mic')}
              devices={devices.audioInputs}
              value={micId}
              onChange={(id) => void media.switchMic(id)}
              fallbackName={(n) => t('room.devices.micN', { n })}
              testId="mic-select"
            />
          </>
        )}
        {canChooseSpeaker() && (
          <div className="speaker-row">
            <DeviceSelect
              label={t('room.devices.speaker')}
              devices={devices.audioOutputs}
              value={speakerId}
              onChange={setSpeakerId}
              fallbackName={(n) => t('room.devices.speakerN', { n })}
              testId="speaker-select"
            />
            <button type="button" className="button" onClick={() => void playTestSound(speakerId)}>
              <SpeakerIcon size={18} />
              {t('room.devices.test')}
            </button>
          </div>
        )}

        {!audience && (
          <fieldset className="switches">
            <legend className="visually-hidden">{t('room.prejoin.options')}</legend>
            <label className="switch">
              <input
                type="checkbox"
                role="switch"
                checked={joinMuted}
                onChange={(e) => setJoinMuted(e.target.checked)}
                data-testid="join-muted"
              />
              {t('room.prejoin.joinMuted')}
            </label>
            <label className="switch">
              <input
                type="checkbox"
                role="switch"
                checked={cameraOff}
                onChange={(e) => toggleCamera(e.target.checked)}
                data-testid="join-camera-off"
              />
              {t('room.prejoin.joinCameraOff')}
            </label>
          </fieldset>
        )}

        {refused && <ErrorMessage error={new ApiError(refused, '')} />}
        <ErrorMessage error={joinError} />
        {denied && (
          <p className="alert alert-error" role="alert" data-testid="lobby-denied">
            {t('room.lobby.denied')}
          </p>
        )}
        {waiting ? (
          <div className="lobby-waiting stack-tight" role="status" data-testid="lobby-waiting">
            <p>{t('room.lobby.waiting')}</p>
            <button type="button" className="button" onClick={() => setWaiting(false)}>
              {t('room.lobby.cancel')}
            </button>
          </div>
        ) : (
          <button
            type="button"
            className="button button-primary button-large"
            data-testid="join"
            disabled={joining || !(media.ready || patienceOver) || Boolean(refused)}
            onClick={() => void join()}
          >
            {joining ? t('room.prejoin.joining') : t('room.prejoin.join')}
          </button>
        )}
      </section>
    </div>
  );
}
