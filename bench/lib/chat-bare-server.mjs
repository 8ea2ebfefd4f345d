// The baseline of bench/chat.mjs: a bare socket.io server (the same socket.io package the Quorum
// server runs) that seats every socket in one room and relays each chat:send to the others in it, as
// a ChatMessageInfo-shaped event so both servers put the same bytes on the wire. No auth, no
// database, no validation. Run as a child process; it sends its port to the parent over IPC.
// With REDIS_URL, it is one of several such processes sharing a room through the same Redis streams
// adapter as Quorum's nodes (REDIS_KEY_PREFIX keeps the run's keys apart).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const serverRequire = createRequire(path.join(root, 'server', 'package.json'));
const { Server } = serverRequire('socket.io');

const ROOM = 'room:bench';
const sessionId = randomUUID();

const http = createServer();
// Same engine options as the Quorum gateway (path, buffer size) minus its recovery and auth layers.
const io = new Server(http, { path: process.env.SOCKET_PATH ?? '/ws', maxHttpBufferSize: 256 * 1024, serveClient: false });
if (process.env.REDIS_URL) {
  const { createAdapter } = serverRequire('@socket.io/redis-streams-adapter');
  const { createClient } = serverRequire('redis');
  const prefix = process.env.REDIS_KEY_PREFIX ?? 'bare:';
  const client = createClient({ url: process.env.REDIS_URL });
  await client.connect();
  // The same adapter options as Quorum's nodes (server/src/app.ts).
  io.adapter(createAdapter(client, { streamName: `${prefix}socket.io`, channelPrefix: `${prefix}socket.io`, sessionKeyPrefix: `${prefix}sio:session:` }));
}

io.on('connection', (socket) => {
  const userId = randomUUID();
  socket.on('room:join', (_payload, ack) => {
    void socket.join(ROOM);
    ack?.({ ok: true, data: { roomId: 'bench', peerId: socket.id } });
  });
  socket.on('chat:send', (p, ack) => {
    const info = {
      id: randomUUID(),
      sessionId,
      senderId: userId,
      senderName: 'Bench',
      audience: p.audience ?? 'everyone',
      body: String(p.body).trim(),
      createdAt: new Date().toISOString(),
    };
    socket.to(ROOM).emit('chat:message', info);
    ack?.({ ok: true, data: info });
  });
});

http.listen(0, '127.0.0.1', () => process.send?.({ port: http.address().port }));

process.on('SIGTERM', () => {
  io.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
});
