# syntax=docker/dockerfile:1
# Multi-stage: build with the full toolchain (better-sqlite3 compiles natively), run slim and non-root.
FROM node:22-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    CAUSEWAY_PORT=8080 \
    CAUSEWAY_DATA_DIR=/var/lib/causeway \
    CAUSEWAY_SCHEMAS_DIR=/app/schemas \
    CAUSEWAY_ROUTES_DIR=/app/routes
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY routes ./routes
RUN mkdir -p /var/lib/causeway && chown node:node /var/lib/causeway
USER node
VOLUME ["/var/lib/causeway"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.CAUSEWAY_PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# --max-semi-space-size: the same V8 flag as `npm start` (README, "Memory and GC").
ENTRYPOINT ["node", "--max-semi-space-size=64", "dist/main.js"]
CMD ["serve"]
