# Ruggensteun: CDS Hooks service. Build: docker build -t ruggensteun .
# Run:   docker run --init -p 8080:8080 -e PUBLIC_BASE_URL=https://cds.example.org ruggensteun

# --- build: compile TypeScript, then drop dev dependencies -------------------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# --- runtime: production dependencies, compiled code and the clinical knowledge only ------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node rules ./rules
COPY --chown=node:node fhir-resources ./fhir-resources
# The sandbox page (served only when SANDBOX=on; off in production by default).
COPY --chown=node:node src/sandbox/public ./src/sandbox/public
# The embedded store (PGlite) and its patient-hash key live here: mount a volume to keep them.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 8080
# Slim images have no curl: Node's own fetch checks liveness.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form, no npm or shell in between, so SIGTERM reaches Node and shutdown drains in-flight requests.
CMD ["node", "dist/server.js"]
