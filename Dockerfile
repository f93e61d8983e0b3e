# syntax=docker/dockerfile:1
# One image for every faultline component. The entrypoint is Node with the telemetry preload;
# the container's args name the component's entry module (the chart sets them per component):
#   booking     services/booking/dist/src/main.js
#   scheduler   services/scheduler/dist/src/main.js
#   gateway     services/gateway/dist/src/main.js
#   agent       chaos/dist/src/agent/main.js
#   controller  chaos/dist/src/kubernetes/controller-main.js
#   load        chaos/bin/faultline.js load <scenario> --target <gateway URL>
# Tag it with the version and the git sha (never :latest), e.g. faultline:0.1.0-3f2c1ab.
# chaos/test/chart-runtime-tree.test.ts builds the runtime tree the way this file does and
# starts every component from it with this ENTRYPOINT (there is no Docker engine where we build).

FROM node:24-slim AS build
WORKDIR /src
# Package files first: the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
COPY services/kit/package.json services/kit/
COPY services/booking/package.json services/booking/
COPY services/scheduler/package.json services/scheduler/
COPY services/gateway/package.json services/gateway/
COPY slos/package.json slos/
COPY loadtests/package.json loadtests/
COPY dashboards/package.json dashboards/
COPY chaos/package.json chaos/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npx tsc -b
# Production dependencies only, for the workspaces a container runs.
RUN scripts/runtime-tree.sh /src /runtime

FROM gcr.io/distroless/nodejs24-debian13:nonroot
WORKDIR /app
COPY --from=build --chown=0:0 /runtime /app
# Numeric uid/gid (distroless's `nonroot`) so PodSecurity `restricted` can verify runAsNonRoot.
USER 65532:65532
# A 2 MiB young generation (V8's default is 16): ~40 MiB less resident per idle service, as in
# local mode (chaos/src/local/pod-plan.ts). The preload starts telemetry before the app.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=2", "--import", "@faultline/kit/telemetry-preload"]
CMD ["services/booking/dist/src/main.js"]
