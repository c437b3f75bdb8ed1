# syntax=docker/dockerfile:1
# finews: multi-stage build on Node 20. One image for `start`, `worker` and `serve`; finews
# runs as the unprivileged `node` user (bin/docker-entrypoint.sh drops to it after making
# /data writable, so a host directory mounted there works).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon here.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# glibc's allocator: fixed trim and mmap thresholds (128 KiB; the default lets both grow up to
# 32 MiB after large blocks are freed, so the ingest's peak stays resident in the heap) and two
# arenas instead of one per thread. At rest after 100,000 items in Redis mode: 158-165 MB RSS
# instead of 193-199 (bench/memory.ts runs the daemon with these variables; docs/operations.md).
ENV MALLOC_ARENA_MAX=2 \
    GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    FINEWS_CONFIG=/config/feeds.yaml \
    FINEWS_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY feeds.yaml /config/feeds.yaml
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/app/bin/docker-entrypoint.sh"]
CMD ["start"]
