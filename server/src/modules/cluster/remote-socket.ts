import type { AppServer, AppSocket, SocketData } from '../../common/ws/command';
import type { RemoteSocketInfo } from './bus';

/**
 * A socket connected to another node, as the owner of its room handles it: the handlers and the room
 * registry use the few socket operations below, each carried out through the socket.io adapter's
 * cluster-wide operations (the socket's own node applies them). The rest of the Socket API is absent.
 */
export function remoteSocket(io: AppServer, info: RemoteSocketInfo): AppSocket {
  const id = info.id;
  const rooms = new Set(info.rooms);
  const facade = {
    id,
    data: info.data as SocketData,
    rooms,
    connected: true,
    recovered: false,
    async join(room: string | string[]) {
      for (const r of Array.isArray(room) ? room : [room]) rooms.add(r);
      io.in(id).socketsJoin(room);
    },
    async leave(room: string) {
      rooms.delete(room);
      io.in(id).socketsLeave(room);
    },
    to(room: string | string[]) {
      return io.to(room).except(id);
    },
    in(room: string | string[]) {
      return io.to(room).except(id);
    },
    emit(event: string, ...args: unknown[]) {
      (io.to(id).emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
      return true;
    },
    disconnect(close = false) {
      io.in(id).disconnectSockets(close);
      return facade;
    },
  };
  return facade as unknown as AppSocket;
}
