import { z } from 'zod';
import { DtlsParameters, RtpCapabilities, RtpParameters } from '../../../contract';

/**
 * The requests between a room's owner and an edge node serving some of its viewers, over the node bus.
 * Each body is checked on arrival like any input: a node trusts Redis no more than a socket.
 */
const roomId = z.string().min(1).max(100);
const id = z.string().min(1).max(100);
const SrtpParameters = z.looseObject({ cryptoSuite: z.string().max(64), keyBase64: z.string().max(200) });
const Tuple = z.strictObject({ ip: z.string().min(1).max(255), port: z.int().min(1).max(65535), srtpParameters: SrtpParameters });

export const edgeOps = {
  /** Owner → edge: open (or reopen) the room here and link its pipe transport to the owner's. */
  'room.open': z.strictObject({ roomId, lease: z.string().min(3).max(200), pipe: Tuple }),
  /** Owner → edge: the room's last viewer here left, or the room closed. */
  'room.close': z.strictObject({ roomId }),
  'transport.create': z.strictObject({ roomId, peerId: id, socketId: id }),
  'transport.connect': z.strictObject({ roomId, transportId: id, dtlsParameters: DtlsParameters }),
  'transport.restart-ice': z.strictObject({ roomId, transportId: id }),
  'transport.close': z.strictObject({ roomId, transportId: id }),
  /** Owner → edge: the origin's producer, as its pipe consumer sends it (same id, kind, parameters, paused state). */
  'producer.pipe': z.strictObject({
    roomId,
    producerId: id,
    kind: z.enum(['audio', 'video']),
    rtpParameters: RtpParameters,
    paused: z.boolean(),
  }),
  'producer.state': z.strictObject({ roomId, producerId: id, state: z.enum(['paused', 'resumed', 'closed']) }),
  'consumer.create': z.strictObject({ roomId, transportId: id, producerId: id, rtpCapabilities: RtpCapabilities, peerId: id }),
  'consumer.resume': z.strictObject({ roomId, consumerId: id }),
  'consumer.pause': z.strictObject({ roomId, consumerId: id }),
  'consumer.layers': z.strictObject({
    roomId,
    consumerId: id,
    spatialLayer: z.int().min(0).max(3),
    temporalLayer: z.int().min(0).max(3).optional(),
  }),
  'consumer.close': z.strictObject({ roomId, consumerId: id }),
  /** Any node → owner: who is seated in the room now (a meeting's quorum counts them). */
  'room.present': z.strictObject({ roomId }),
  /** Edge → owner: a viewer's transport here closed by itself (DTLS failed or closed). */
  'transport.closed': z.strictObject({ roomId, transportId: id }),
} as const;

export type EdgeOp = keyof typeof edgeOps;
export type EdgeBody<O extends EdgeOp> = z.infer<(typeof edgeOps)[O]>;
export type PipeTuple = z.infer<typeof Tuple>;

export const isEdgeOp = (op: string): op is EdgeOp => Object.prototype.hasOwnProperty.call(edgeOps, op);

/** What an edge answers to `consumer.create`. */
export interface EdgeConsumer {
  consumerId: string;
  kind: 'audio' | 'video';
  rtpParameters: RtpParameters;
  type: 'simple' | 'simulcast' | 'svc' | 'pipe';
  producerPaused: boolean;
}
