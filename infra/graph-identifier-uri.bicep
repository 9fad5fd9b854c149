// Second pass over the API's app registration: the same uniqueName, now with identifierUris = api://<appId>.
// Every property is repeated so this declaration describes the whole registration, not a partial update.
extension microsoftGraphV1

param uniqueName string
param displayName string
param appId string
param appRoles array

resource api 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  identifierUris: ['api://${appId}']
  api: {
    requestedAccessTokenVersion: 2
  }
  appRoles: appRoles
}

output IDENTIFIER_URI string = api.identifierUris[0]
