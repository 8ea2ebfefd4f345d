# syntax=docker/dockerfile:1
# Quorum production image.
#   build:   mediasoup-worker (compiled from the sources in the mediasoup npm package against Debian's
#            libraries), the offline caption recogniser (server/native, against PocketSphinx),
#            server (tsc) and client (vite); dev dependencies pruned afterwards.
#   runtime: node:20-bookworm-slim + the worker's shared libraries, running as the unprivileged `node` user.
# Needs BuildKit (the default builder of Docker 23+ and of docker compose).

ARG NODE_IMAGE=node:20-bookworm
ARG NODE_RUNTIME_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ pkg-config meson ninja-build libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev \
      libflatbuffers-dev flatbuffers-compiler libpocketsphinx-dev libsphinxbase-dev \
 && rm -rf /var/lib/apt/lists/*
# package.json#allowScripts keeps mediasoup's own postinstall (which downloads from GitHub and PyPI)
# from running; npm 10, which the node:20 image ships, ignores that field.
ARG NPM_VERSION=11.19.1
RUN npm install -g --no-audit --no-fund "npm@${NPM_VERSION}"

WORKDIR /app
# The postinstall (scripts/mediasoup-worker.mjs) builds the worker once per mediasoup version and keeps
# it in QUORUM_CACHE_DIR, a BuildKit cache that outlives this build. The image never depends on GitHub
# being reachable: set QUORUM_WORKER_NO_DOWNLOAD=0 to try mediasoup's prebuilt binary first.
# node-gyp (argon2 compiles itself when its prebuilt addon fails to load) takes the Node headers
# shipped in the image instead of downloading them.
ARG QUORUM_WORKER_NO_DOWNLOAD=1
ENV QUORUM_CACHE_DIR=/var/cache/quorum \
    QUORUM_WORKER_NO_DOWNLOAD=${QUORUM_WORKER_NO_DOWNLOAD} \
    npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY client/package.json client/
COPY scripts/ scripts/
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=cache,target=/var/cache/quorum,sharing=locked \
    npm ci --no-audit --no-fund

COPY . .
# The offline caption recogniser: its source arrives with the COPY above, after npm ci's postinstall.
RUN npm run build \
 && node scripts/recogniser.mjs \
 && { [ -x server/native/build/quorum-recogniser ] || { echo "the caption recogniser did not build" >&2; exit 1; }; }

# Prune dev dependencies. The worker binary sits inside node_modules/mediasoup, a production
# dependency, so it stays; QUORUM_SKIP_WORKER makes sure no install script replaces it meanwhile.
# The check fails the build rather than ship an image whose media would not start: a worker
# started without MEDIASOUP_VERSION exits with 41 once its libraries have loaded.
RUN QUORUM_SKIP_WORKER=1 npm prune --omit=dev --no-audit --no-fund
RUN mkdir -p server/node_modules \
 && { node_modules/mediasoup/worker/out/Release/mediasoup-worker 2>/dev/null; [ $? -eq 41 ]; } \
 || { echo "node_modules/mediasoup/worker/out/Release/mediasoup-worker is missing or does not start" >&2; exit 1; }


FROM ${NODE_RUNTIME_IMAGE} AS runtime
ARG DEBIAN_FRONTEND=noninteractive
# Shared libraries of the worker built above (libsrtp2-1 brings libnss3/libnspr4), fonts for the
# minutes PDF (Latin, Chinese, Arabic names); FFmpeg and PocketSphinx for automatic captions; tini reaps
# children and forwards signals so the server can close rooms cleanly on `docker stop`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libssl3 libuv1 libsrtp2-1 libusrsctp2 libabsl20220623 libstdc++6 tini \
      fonts-dejavu-core fonts-wqy-microhei fonts-noto-ui-core \
      ffmpeg pocketsphinx pocketsphinx-en-us \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/server/package.json ./server/
COPY --from=build /app/server/node_modules ./server/node_modules
COPY --from=build /app/server/dist ./server/dist
COPY --from=build /app/server/native/build ./server/native/build
COPY --from=build /app/client/package.json ./client/
COPY --from=build /app/client/dist ./client/dist
# The code stays owned by root (read-only for the server); only DATA_DIR is writable.
RUN mkdir -p /data && chown node:node /data
USER node

# HTTP (API, client, socket.io on /ws) and one UDP+TCP media port per mediasoup worker
# (RTC_MIN_PORT..RTC_MAX_PORT; publish the same range when you change it).
EXPOSE 3000 40000-40099/udp 40000-40099/tcp
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "server/dist/main.js"]
