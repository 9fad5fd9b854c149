#!/usr/bin/env bash
# Runs the Function app locally against the identity emulator, with no Azure subscription:
#   1. checks that Azure Functions Core Tools (func) is installed,
#   2. creates local.settings.json from local.settings.sample.json if there is none,
#   3. starts Azurite (storage for the timer trigger) unless something already listens on 10000,
#   4. starts the identity emulator with tools/IdentityEmulator/tenant.sample.json on 127.0.0.1:5180,
#   5. starts the sample protected API on 127.0.0.1:5181, validating tokens against the emulator,
#   6. runs 'func start' in FunctionApp/ with DefaultAzureCredential getting its tokens from the emulator as
#      --as says: managed-identity (default: IDENTITY_ENDPOINT and IDENTITY_HEADER, as in Azure),
#      service-principal (the tenant's "Local developer app" with its secret, through Entra's token endpoint over
#      HTTPS, as with AZURE_CLIENT_ID/AZURE_CLIENT_SECRET against a real tenant) or azure-cli (a developer's sign-in:
#      the emulator's az stand-in, signed in as AZ_EMULATOR_USER, gives a user token with no application role),
#   7. stops what it started when func exits (or on Ctrl+C).
#
# Usage: scripts/run-local.sh [--no-azurite] [--as managed-identity|service-principal|azure-cli] [-- <func start arguments>]
# Ports: EMULATOR_PORT (5180), EMULATOR_HTTPS_PORT (5443) and API_PORT (5181).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${EMULATOR_PORT:-5180}"
https_port="${EMULATOR_HTTPS_PORT:-5443}"
api_port="${API_PORT:-5181}"
start_azurite=true
identity=managed-identity
func_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-azurite) start_azurite=false; shift ;;
    --as)
      case "${2:-}" in
        managed-identity|service-principal|azure-cli) identity="$2"; shift 2 ;;
        *) echo "run-local: --as takes managed-identity, service-principal or azure-cli" >&2; exit 2 ;;
      esac ;;
    --) shift; func_args=("$@"); break ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
  --port "$port" --https-port "$https_port" --https-cert-file "$state/emulator-https.pem" \
  --tenant "$root/tools/IdentityEmulator/tenant.sample.json" \
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

# The env file names the emulator's certificate as SSL_CERT_FILE; only the service-principal path needs it.
developer_cert_file="${SSL_CERT_FILE-}"
set -a
# shellcheck disable=SC1091
source "$state/emulator.env"
set +a
# Environment variables win over local.settings.json in func, so these hold even if that file was edited for a
# real tenant: Graph calls go to the emulator, and AZURE_TOKEN_CREDENTIALS pins DefaultAzureCredential to the one
# credential --as chose, so a developer's own sign-in or AZURE_CLIENT_SECRET cannot answer instead.
export Graph__BaseUrl="http://127.0.0.1:$port/v1.0"
export Identity__Credential=DefaultAzureCredential
case "$identity" in
  managed-identity)
    export AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential
    unset AZURE_AUTHORITY_HOST ;;
  service-principal)
    # The sample tenant's "Local developer app" (tools/IdentityEmulator/tenant.sample.json): emulator-only secret.
    export AZURE_TOKEN_CREDENTIALS=EnvironmentCredential Identity__DisableInstanceDiscovery=true
    export AZURE_CLIENT_ID=8b2d6e4f-1a3c-4e5b-9d7f-2c4a6e8b0d15 AZURE_CLIENT_SECRET=emulator-only-local-dev-secret
    unset IDENTITY_ENDPOINT IDENTITY_HEADER ;;
  azure-cli)
    export AZURE_TOKEN_CREDENTIALS=AzureCliCredential PATH="$root/tools/IdentityEmulator/azure-cli:$PATH"
    export IDENTITY_EMULATOR_URL="http://127.0.0.1:$port" AZ_EMULATOR_USER="${AZ_EMULATOR_USER:-adele.vance@contoso.example}"
    unset IDENTITY_ENDPOINT IDENTITY_HEADER AZURE_AUTHORITY_HOST ;;
esac
if [[ "$identity" != service-principal ]]; then
  if [[ -n "$developer_cert_file" ]]; then export SSL_CERT_FILE="$developer_cert_file"; else unset SSL_CERT_FILE; fi
fi
echo "run-local: identity emulator on http://127.0.0.1:$port and https://127.0.0.1:$https_port (log: .emulator/emulator.log); the app runs as: $identity"

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
