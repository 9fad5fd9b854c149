#!/usr/bin/env bash
# Runs the Function app locally against the identity emulator: the bash launcher of scripts/run-local.ps1, which holds
# the logic for Windows, macOS and Linux alike. PowerShell 7 comes from this repository's dotnet tool manifest
# (.config/dotnet-tools.json), so the .NET SDK is the only thing to install besides Core Tools.
#
# Usage: scripts/run-local.sh [--no-azurite] [--no-func] [--as managed-identity|service-principal|azure-cli] [-- <func start arguments>]
# 'scripts/run-local.sh --help' describes the steps, options, ports and exit codes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "run-local: the .NET SDK ('dotnet') is not installed or not on PATH; install the version global.json names: https://dotnet.microsoft.com/download" >&2
  exit 3
fi

# 'dotnet pwsh' finds the tool manifest from the working directory; the script itself works from any.
cd "$root"
if ! restore="$(dotnet tool restore 2>&1)"; then
  printf '%s\n' "$restore" >&2
  echo "run-local: could not restore PowerShell, a local dotnet tool (.config/dotnet-tools.json); NuGet must be reachable once" >&2
  exit 3
fi
exec dotnet pwsh -NoLogo -NoProfile -File "$root/scripts/run-local.ps1" "$@"
