// The Azure roles of the Function app's identity, least privilege for an app with HTTP and timer triggers and
// identity-based host storage. Named from the principal id, which a module receives as a parameter: a recreated app
// has a new identity and gets new assignments, where assignments named from the app's resource id would be reused
// and ARM refuses to change their principal (RoleAssignmentUpdateNotPermitted).

@description('Object (principal) id of the Function app\'s system-assigned identity.')
param principalId string

param storageAccountName string

param insightsName string

// Storage Blob Data Owner: "the basic needs of Functions host storage" (blob leases that keep one timer execution
// per schedule, the key store, container creation) and the Flex Consumption deployment package container. HTTP and
// timer triggers need no queue or table role (Functions docs, "Connecting to host storage with an identity").
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'

// Monitoring Metrics Publisher on the component: telemetry to Application Insights with local authentication off.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource insights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: insightsName
}

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, principalId, monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
