import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Server, ServerOptions } from 'socket.io';
import { AppModule } from './app.module';
import { HttpErrorFilter } from './common/http-exception.filter';
import { PinoNestLogger, safeUrl } from './common/logging';
import { originAllowed } from './common/origin';
import { tlsMaterial } from './common/tls';
import type { AppConfig } from './config/config';
import { SOCKET_PATH } from './contract';
import { RECOVERY_WINDOW_MS } from './common/ws/command';
import { REDIS, type Redis } from './modules/cluster/redis';
import { RealtimeGateway } from './modules/realtime/realtime.gateway';

/** socket.io with the same CORS policy as REST. */
class QuorumIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly corsOrigins: string[],
    private readonly redis: { client: Redis; prefix: string } | null,
  ) {
    super(app);
  }
  override createIOServer(port: number, options?: ServerOptions) {
    const server = this.server(port, options);
    // Several nodes: broadcasts reach every node's sockets through one Redis stream, and the sessions of
    // dropped connections are kept in Redis, so a client recovers on whichever node it reaches.
    if (this.redis) {
      const { client, prefix } = this.redis;
      server.adapter(createAdapter(client, { streamName: `${prefix}socket.io`, channelPrefix: `${prefix}socket.io`, sessionKeyPrefix: `${prefix}sio:session:` }));
    }
    return server;
  }
  private server(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, {
      ...(options as ServerOptions),
      cors: { origin: this.corsOrigins, credentials: false },
      // CORS does not cover a websocket upgrade: a page on any site could open one. Browsers always send
      // Origin there; it must be this site itself or one of CORS_ORIGINS. Non-browser clients send none.
      allowRequest: (req, callback) => {
        const allowed = originAllowed(req.headers.origin, req.headers.host, this.corsOrigins);
        callback(allowed ? null : 'ORIGIN_NOT_ALLOWED', allowed);
      },
      // A client whose network drops comes back with the same socket, rooms and the events it missed;
      // it authenticates again on the way (a session ended meanwhile does not come back).
      connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false },
    }) as Server;
  }
}

const NOT_SPA = new RegExp(`^(/api|${SOCKET_PATH}|/health|/metrics|/\\.well-known)(/|$)`);

export interface RunningApp {
  app: NestExpressApplication;
  url: string;
  /** Stop taking joins and connections, tell clients, let work in flight finish (bounded by the grace). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Builds and starts the whole server on a database that is already reachable. */
export async function startApp(config: AppConfig, logger: Logger, databaseUrl: string): Promise<RunningApp> {
  const tls = await tlsMaterial(config, logger);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, databaseUrl), {
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    bodyParser: false,
    abortOnError: false,
    ...(tls ? { httpsOptions: { key: tls.key, cert: tls.cert } } : {}),
  });
  if (config.trustProxy) app.set('trust proxy', 1);
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'media-src': ["'self'", 'blob:'],
          'connect-src': ["'self'", ...config.corsOrigins],
          // Over plain HTTP (a LAN address without TLS) upgrading every request to HTTPS would leave a
          // blank page; the page itself then says that camera and microphone need HTTPS.
          'upgrade-insecure-requests': tls || config.publicUrl.startsWith('https:') ? [] : null,
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.enableCors({ origin: config.corsOrigins, credentials: false });
  app.use(
    pinoHttp({
      logger: logger.child({ component: 'http' }),
      genReqId: (req, res) => {
        const id = typeof req.headers['x-request-id'] === 'string' && /^[\w-]{1,64}$/.test(req.headers['x-request-id']) ? req.headers['x-request-id'] : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
      serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: safeUrl(req.url) }) },
    }),
  );
  app.useBodyParser('json', { limit: '64kb' });
  app.useGlobalFilters(new HttpErrorFilter(logger.child({ component: 'http' })));
  const redis = app.get<Redis | null>(REDIS);
  app.useWebSocketAdapter(new QuorumIoAdapter(app, config.corsOrigins, redis && config.cluster ? { client: redis, prefix: config.cluster.keyPrefix } : null));

  // The API's map helps attackers as much as integrators: off by default in production (API_DOCS). It is
  // built on the first request for it, not at boot: a restart is back in the room sooner.
  if (config.apiDocs) {
    const docs = () => SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('Quorum API').setVersion('1').addBearerAuth().build());
    SwaggerModule.setup('api/docs', app, docs, { jsonDocumentUrl: 'api/docs/openapi.json' });
  }

  if (existsSync(path.join(config.clientDist, 'index.html'))) {
    app.useStaticAssets(config.clientDist, { index: false, maxAge: '1h' });
    const index = path.join(config.clientDist, 'index.html');
    app.use((req: Request, res: Response, next: NextFunction) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_SPA.test(req.path)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  } else {
    logger.warn({ clientDist: config.clientDist }, 'client build not found; serving the API only (run `npm run build`)');
  }

  await app.listen(config.port, config.host);
  const address = (app.getHttpServer() as HttpServer).address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const drain = async () => {
    // No new connections from now on: a client trying meanwhile is refused at once and keeps trying
    // (with backoff) until the next process listens, instead of joining a server about to go.
    (app.getHttpServer() as HttpServer).close();
    await app.get(RealtimeGateway).drain(config.shutdownGraceMs);
  };
  if (config.tls.mode === 'self-signed' && tls) {
    const addresses = tls.names.filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n) && n !== '127.0.0.1');
    logger.info(
      { fingerprint: tls.fingerprint, urls: addresses.map((a) => `https://${a}:${port}`) },
      'HTTPS with a self-signed certificate: browsers ask once to accept it; compare its SHA-256 fingerprint with this one',
    );
  }
  return { app, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, drain, close: () => app.close() };
}
