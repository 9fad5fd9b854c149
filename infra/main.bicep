// The Function app, its system-assigned identity and everything that identity needs: identity-based storage and
// telemetry, and (with deployGraph) the custom API's app registration and the app roles on Graph and the API.
// No keys, connection strings with secrets, or passwords anywhere.
targetScope = 'resourceGroup'

@description('Azure region for every resource; Flex Consumption must be available there.')
param location string = resourceGroup().location

@description('Base name; resources get it with a type prefix and a suffix unique to the resource group.')
@minLength(3)
@maxLength(20)
param baseName string = 'mi-sample'

@description('Create the custom API\'s app registration and grant the app roles through Microsoft Graph. Needs directory rights; without them set false and use infra/scripts/Grant-AppRole.ps1.')
param deployGraph bool = true

@description('With deployGraph=false: the existing API registration\'s appId (empty: no custom API settings).')
param customApiAppId string = ''

@description('Host samples/ProtectedApi on App Service (Linux, B1) and point the Function app at it; false leaves customApiBaseUrl to say where it runs.')
param deploySampleApi bool = true

@description('With deploySampleApi=false: where the sample protected API runs (empty turns the custom-API function off).')
param customApiBaseUrl string = ''

@description('Changes the API app registration\'s unique name. After a teardown, a deleted registration keeps its name in the directory\'s deleted items for 30 days; give a new salt, or purge it (docs/deployment.md, "Deploying again after a teardown").')
param apiRegistrationSalt string = ''

@description('CRON schedule of the probe timer.')
param probeSchedule string = '0 */15 * * * *'

var suffix = uniqueString(resourceGroup().id)
var apiUniqueName = 'sample-protected-api-${suffix}${apiRegistrationSalt}'
var appName = 'func-${baseName}-${suffix}'
var deploymentContainer = 'app-package'


resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${baseName}-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${baseName}-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Only Entra-authenticated telemetry is accepted: the app sends it with its managed identity.
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // Storage account names are 3-24 lower-case letters and digits.
  name: toLower(take('st${replace(baseName, '-', '')}${suffix}', 24))
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }

  resource blobs 'blobServices' = {
    name: 'default'

    resource package 'containers' = {
      name: deploymentContainer
    }
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${baseName}-${suffix}'
  location: location
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  kind: 'functionapp,linux'
  tags: {
    'azd-service-name': 'functionapp'
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // No ftpsState (nor any other property on the Flex Consumption deprecations list): Flex has no FTP, and newer
    // regions refuse the deployment when it is set (Infra.Tests/FlexConsumptionTests.cs keeps the list).
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: 40
        instanceMemoryMB: 2048
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  // Publishing with user names and passwords is off; func azure functionapp publish uses the signed-in Entra identity.
  // Only the scm policy: Flex Consumption deploys through its one-deploy endpoint and has no FTP to turn off.
  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

module appRoles 'app-roles.bicep' = {
  name: 'app-roles-${suffix}'
  params: {
    principalId: app.identity.principalId
    storageAccountName: storage.name
    insightsName: insights.name
  }
}

module graph 'graph.bicep' = if (deployGraph) {
  name: 'graph-${suffix}'
  params: {
    principalId: app.identity.principalId
    apiUniqueName: apiUniqueName
    apiDisplayName: 'Sample Protected API (${baseName})'
    readRoleId: guid(resourceGroup().id, 'sample-protected-api', 'Api.Read')
    writeRoleId: guid(resourceGroup().id, 'sample-protected-api', 'Api.Write')
  }
}

var apiAppId = deployGraph ? graph!.outputs.API_APP_ID : customApiAppId
var apiScope = empty(apiAppId) ? '' : 'api://${apiAppId}/.default'

// The sample protected API (samples/ProtectedApi), validating tokens for the app registration above: only when that
// registration is known (deployed here, or customApiAppId), since both apps refuse to start without its appId. A
// Basic plan: Flex Consumption hosts only Function apps.
var hostSampleApi = deploySampleApi && (deployGraph || !empty(customApiAppId))

resource apiPlan 'Microsoft.Web/serverfarms@2024-04-01' = if (hostSampleApi) {
  name: 'plan-api-${baseName}-${suffix}'
  location: location
  kind: 'linux'
  sku: {
    name: 'B1'
  }
  properties: {
    reserved: true
  }
}

resource api 'Microsoft.Web/sites@2024-04-01' = if (hostSampleApi) {
  name: 'app-api-${baseName}-${suffix}'
  location: location
  kind: 'app,linux'
  tags: {
    'azd-service-name': 'protectedapi'
  }
  properties: {
    serverFarmId: apiPlan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'DOTNETCORE|10.0'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      healthCheckPath: '/health'
      // A Basic plan unloads an idle site; the first call after would outlast CustomApi__AttemptTimeoutSeconds.
      alwaysOn: true
      appSettings: [
        {
          name: 'EntraApi__TenantId'
          value: tenant().tenantId
        }
        {
          name: 'EntraApi__ClientId'
          value: apiAppId
        }
      ]
    }
  }

  resource ftp 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

var apiBaseUrl = hostSampleApi ? 'https://${api!.properties.defaultHostName}/' : customApiBaseUrl

// The app settings, separate from the site because they need the API's appId, which exists only after the Graph
// module, which in turn needs the site's identity. Names match the Function app's options (Section__Key).
resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    ProbeSchedule: probeSchedule
    Identity__Credential: 'ManagedIdentity'
    Identity__UserAssignedClientId: ''
    Identity__TokenTimeout: '00:00:30'
    Identity__DisableInstanceDiscovery: 'false'
    Graph__BaseUrl: 'https://graph.microsoft.com/v1.0'
    Graph__Scope: 'https://graph.microsoft.com/.default'
    Graph__RequiredRole: 'User.Read.All'
    Graph__TimeoutSeconds: '45'
    CustomApi__Name: 'protected-api'
    CustomApi__BaseUrl: apiBaseUrl
    CustomApi__Scope: apiScope
    CustomApi__AppId: apiAppId
    CustomApi__RequiredRole: 'Api.Read'
    CustomApi__Resources: 'orders,products'
    CustomApi__HealthPath: '/health'
    CustomApi__AttemptTimeoutSeconds: '5'
    CustomApi__TotalTimeoutSeconds: '20'
  }
  // The host reaches storage and Application Insights with these roles as soon as the settings apply.
  dependsOn: [
    appRoles
  ]
}

output FUNCTION_APP_NAME string = app.name
output FUNCTION_APP_DEFAULT_HOSTNAME string = app.properties.defaultHostName
output FUNCTION_APP_PRINCIPAL_ID string = app.identity.principalId
output CUSTOM_API_APP_ID string = apiAppId
output CUSTOM_API_APP_ID_URI string = empty(apiAppId) ? '' : 'api://${apiAppId}'
output CUSTOM_API_SCOPE string = apiScope
output CUSTOM_API_BASE_URL string = apiBaseUrl
output SAMPLE_API_NAME string = hostSampleApi ? api.name : ''
output CUSTOM_API_UNIQUE_NAME string = deployGraph ? apiUniqueName : ''
