# syntax=docker/dockerfile:1
# gpt-backend: a multi-stage image. The build stage runs scripts/production-install.sh, the very script
# CI runs (.ci/run), so what CI tests is what the image holds.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN bash scripts/production-install.sh /app

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
# The embedded database lives here when DATABASE_URL is not set.
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# --liftoff-only: the embedded database's WebAssembly compiled by the baseline compiler only (README,
# "Database"); Node 24 reads it only from its command line. No effect with DATABASE_URL.
# --expose-gc: the memory release after a load (MEMORY_RELEASE_IDLE_SECONDS) needs V8's collector.
CMD ["node", "--liftoff-only", "--expose-gc", "dist/server/main.js"]
