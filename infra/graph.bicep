// Entra ID objects, through the Microsoft Graph Bicep extension: the custom API's app registration (with its
// Application ID URI and app roles), its service principal, and the app roles granted to the Function app's identity.
// Deploying this needs directory rights: Application Administrator (or Cloud Application Administrator) creates the
// registration and grants the API's own role, but only Privileged Role Administrator (or Global Administrator) may
// grant a Microsoft Graph application permission such as User.Read.All. main.bicep's deployGraph=false skips it.
extension microsoftGraphV1

@description('Object (principal) id of the Function app\'s system-assigned identity.')
param principalId string

@description('Immutable unique name of the API\'s app registration: it is how redeployments find the same registration.')
param apiUniqueName string

param apiDisplayName string

@description('Id of the API\'s Api.Read app role; a fixed GUID per deployment keeps redeployments idempotent.')
param readRoleId string

@description('Id of the API\'s Api.Write app role.')
param writeRoleId string

// Microsoft Graph's well-known appId and its User.Read.All application permission (app role) id.
var graphAppId = '00000003-0000-0000-c000-000000000000'
var userReadAllRoleId = 'df021288-bdef-4463-88db-98f22de89214'

var appRoles = [
  {
    id: readRoleId
    value: 'Api.Read'
    displayName: 'Read sample data'
    description: 'Applications with this role can read orders and products.'
    allowedMemberTypes: ['Application']
    isEnabled: true
  }
  {
    id: writeRoleId
    value: 'Api.Write'
    displayName: 'Write sample data'
    description: 'Applications with this role can create orders.'
    allowedMemberTypes: ['Application']
    isEnabled: true
  }
]

resource api 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: apiUniqueName
  displayName: apiDisplayName
  signInAudience: 'AzureADMyOrg'
  api: {
    requestedAccessTokenVersion: 2
  }
  appRoles: appRoles
}

// api://<appId> cannot be set in the same declaration that creates the appId, so a module declares the same
// registration again (same uniqueName) with the identifier URI. Without it no token can be issued for the API:
// AADSTS500011.
module apiIdentifierUri 'graph-identifier-uri.bicep' = {
  name: 'api-identifier-uri'
  params: {
    uniqueName: apiUniqueName
    displayName: apiDisplayName
    appId: api.appId
    appRoles: appRoles
  }
}

resource apiServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: api.appId
}

resource graphServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

// Microsoft Graph: User.Read.All (application permission) for the Function app's identity.
resource graphUserReadAll 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: userReadAllRoleId
  principalId: principalId
  resourceId: graphServicePrincipal.id
}

// Custom API: Api.Read for the Function app's identity.
resource apiRead 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: readRoleId
  principalId: principalId
  resourceId: apiServicePrincipal.id
}

output API_APP_ID string = api.appId
output API_APP_ID_URI string = apiIdentifierUri.outputs.IDENTIFIER_URI
