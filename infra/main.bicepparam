using 'main.bicep'

// The defaults deploy everything, Graph objects included. Without directory rights: deployGraph = false, then an
// administrator runs infra/scripts/Grant-AppRole.ps1 (see docs/deployment.md) and you set customApiAppId.
param baseName = 'mi-sample'
param deployGraph = true
param customApiAppId = ''
param deploySampleApi = true
param customApiBaseUrl = ''
param apiRegistrationSalt = ''
param probeSchedule = '0 */15 * * * *'
