#!/usr/bin/env bash
# Runs the Function app locally against the identity emulator, with no Azure subscription:
#   1. checks that Azure Functions Core Tools (func) is installed,
#   2. creates local.settings.json from local.settings.sample.json if there is none,
#   3. starts Azurite (storage for the timer trigger) unless something already listens on 10000,
#   4. starts the identity emulator with tools/IdentityEmulator/tenant.sample.json on 127.0.0.1:5180,
#   5. starts the sample protected API on 127.0.0.1:5181, validating tokens against the emulator,
#   6. runs 'func start' in FunctionApp/ with IDENTITY_ENDPOINT and IDENTITY_HEADER pointing at the emulator,
#   7. stops what it started when func exits (or on Ctrl+C).
#
# Usage: scripts/run-local.sh [--no-azurite] [-- <extra func start arguments>]
# Ports: EMULATOR_PORT (5180) and API_PORT (5181).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${EMULATOR_PORT:-5180}"
api_port="${API_PORT:-5181}"
start_azurite=true
func_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-azurite) start_azurite=false; shift ;;
    --) shift; func_args=("$@"); break ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-local: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v func >/dev/null 2>&1; then
  cat >&2 <<'MSG'
run-local: Azure Functions Core Tools ('func', version 4) is not installed or not on PATH.
Install it, then run this script again:
  npm:     npm install --global azure-functions-core-tools@4 --unsafe-perm true
  macOS:   brew tap azure/functions && brew install azure-functions-core-tools@4
  Windows: winget install Microsoft.Azure.FunctionsCoreTools
  Linux:   https://learn.microsoft.com/azure/azure-functions/functions-run-local#install-the-azure-functions-core-tools
MSG
  exit 3
fi

if [[ ! -f "$root/local.settings.json" ]]; then
  cp "$root/local.settings.sample.json" "$root/local.settings.json"
  echo "run-local: created local.settings.json from local.settings.sample.json"
fi

state="$root/.emulator"
mkdir -p "$state"
pids=()
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if $start_azurite; then
  if listening 10000; then
    echo "run-local: storage is already listening on 127.0.0.1:10000"
  elif command -v npx >/dev/null 2>&1; then
    echo "run-local: starting Azurite (the timer trigger keeps its schedule in storage)"
    npx --yes azurite --silent --skipApiVersionCheck --location "$state/azurite" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
      >"$state/azurite.log" 2>&1 &
    pids+=($!)
  else
    echo "run-local: warning: no storage on 127.0.0.1:10000 and no npx to start Azurite; the timer trigger will not run" >&2
  fi
fi

# A fresh secret per run, as the platform does; the app reads it from IDENTITY_HEADER.
identity_header="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
rm -f "$state/emulator.env"
dotnet build "$root/tools/IdentityEmulator" --nologo --verbosity quiet
dotnet build "$root/samples/ProtectedApi" --nologo --verbosity quiet
dotnet run --project "$root/tools/IdentityEmulator" --no-build -- \
  --port "$port" --tenant "$root/tools/IdentityEmulator/tenant.sample.json" \
  --identity-header "$identity_header" --env-file "$state/emulator.env" >"$state/emulator.log" 2>&1 &
emulator_pid=$!
pids+=("$emulator_pid")

for _ in $(seq 1 100); do
  [[ -s "$state/emulator.env" ]] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    echo "run-local: the identity emulator did not start:" >&2
    cat "$state/emulator.log" >&2
    exit 4
  fi
  sleep 0.2
done
[[ -s "$state/emulator.env" ]] || { echo "run-local: the identity emulator did not start within 20 s" >&2; exit 4; }

set -a
# shellcheck disable=SC1091
source "$state/emulator.env"
set +a
# Environment variables win over local.settings.json in func, so these hold even if that file was edited for a
# real tenant: Graph calls go to the emulator, and DefaultAzureCredential goes straight to the managed identity
# instead of trying developer credentials (Azure CLI, a service principal in AZURE_CLIENT_SECRET) first.
export Graph__BaseUrl="http://127.0.0.1:$port/v1.0"
export AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential
echo "run-local: identity emulator on http://127.0.0.1:$port (log: .emulator/emulator.log)"

# The sample API is registered in the emulator's tenant under the appId the settings name (CustomApi__AppId), with
# its Application ID URI set and Api.Read assigned to the app's identity. Only its metadata address is local.
api_app_id="$(sed -n 's/.*"CustomApi__AppId": *"\([^"]*\)".*/\1/p' "$root/local.settings.json")"
if [[ -n "$api_app_id" ]]; then
  dotnet run --project "$root/samples/ProtectedApi" --no-build --no-launch-profile -- \
    --urls "http://127.0.0.1:$api_port" \
    --EntraApi:TenantId="$AZURE_TENANT_ID" --EntraApi:ClientId="$api_app_id" \
    --EntraApi:MetadataAddress="http://127.0.0.1:$port/$AZURE_TENANT_ID/v2.0/.well-known/openid-configuration" \
    >"$state/api.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do listening "$api_port" && break; sleep 0.2; done
  listening "$api_port" || { echo "run-local: the sample API did not start:" >&2; cat "$state/api.log" >&2; exit 4; }
  export CustomApi__BaseUrl="http://127.0.0.1:$api_port/"
  echo "run-local: sample protected API on http://127.0.0.1:$api_port (log: .emulator/api.log)"
else
  echo "run-local: no CustomApi__AppId in local.settings.json; the sample API is not started"
fi

cd "$root/FunctionApp"
set +e
func start ${func_args[@]+"${func_args[@]}"}
status=$?
set -e
exit "$status"
