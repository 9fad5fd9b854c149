using 'main.bicep'

// The defaults deploy everything, Graph objects included. Without directory rights, set DEPLOY_GRAPH=false (with azd:
// azd env set DEPLOY_GRAPH false) and CUSTOM_API_APP_ID to an API registration an administrator made, and have an
// administrator run infra/scripts/Grant-AppRole.ps1 (docs/deployment.md, "Without directory rights"). azd passes its
// environment's values to this file; the Azure CLI passes the shell's.
param baseName = 'mi-sample'
param deployGraph = bool(readEnvironmentVariable('DEPLOY_GRAPH', 'true'))
param customApiAppId = readEnvironmentVariable('CUSTOM_API_APP_ID', '')
param deploySampleApi = true
param customApiBaseUrl = ''
param apiRegistrationSalt = ''
param probeSchedule = '0 */15 * * * *'
