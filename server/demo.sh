#!/usr/bin/env bash
# DEMO ONLY. Builds token-cache, then starts on loopback:
#   - the fake identity provider (a stand-in for Auth0/Cognito/Keycloak) on http://127.0.0.1:9090,
#     knowing one client: demo-client / demo-secret;
#   - one token-cache node on http://127.0.0.1:8080 in front of it.
# Ctrl-C stops both. To put token-cache in front of a real IdP instead, run the jar alone with
#   TOKEN_CACHE_UPSTREAM_TOKEN_URL=https://your-idp.example/oauth2/token java -jar server/target/token-cache-server.jar
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests package

IDP_PORT=${IDP_PORT:-9090}
PORT=${PORT:-8080}
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

java -jar fake-idp/target/fake-idp.jar --port "$IDP_PORT" --client demo-client:demo-secret &
pids+=($!)

TOKEN_CACHE_HTTP_HOST=127.0.0.1 \
TOKEN_CACHE_HTTP_PORT="$PORT" \
TOKEN_CACHE_CLUSTER_PORT="${CLUSTER_PORT:-5701}" \
TOKEN_CACHE_UPSTREAM_TOKEN_URL="http://127.0.0.1:$IDP_PORT/oauth2/token" \
  java -jar server/target/token-cache-server.jar &
pids+=($!)

echo "demo: token-cache on http://127.0.0.1:$PORT in front of the fake IdP on http://127.0.0.1:$IDP_PORT (Ctrl-C stops both)"
wait
