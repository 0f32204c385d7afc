#!/usr/bin/env bash
# The production install, the same steps in the Dockerfile and in CI (.ci/run): install exactly the
# locked dependencies, compile the server and build the web client, then drop every dev dependency.
# Usage: scripts/production-install.sh [app-dir]
set -euo pipefail
cd "${1:-.}"
npm ci --no-audit --no-fund
npm run build
npm prune --omit=dev --no-audit --no-fund
