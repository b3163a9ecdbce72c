// Connected Accounts on Azure: a Flex Consumption function app running the .NET isolated worker, its storage (tables,
// queues, the deployment container), a user-assigned identity with data roles only (no account keys anywhere),
// Application Insights on Log Analytics, Key Vault holding the SendGrid key, and the web console as a Static Web
// App whose origin alone may call the API from a browser. The test suite compiles and lints
// this file with the Bicep CLI and checks the compiled template against what the program reads.

@description('Base name; resource names are derived from it.')
@minLength(3)
@maxLength(18)
param name string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('SendGrid API key, stored in Key Vault and read by the app through a Key Vault reference.')
@secure()
param sendGridApiKey string

@description('Sender address for e-mail.')
param emailFrom string = 'no-reply@example.com'

@description('Base URL of the web frontend; e-mail links point at {publicBaseUrl}/invitations/{token}. Empty: the console\'s Static Web App.')
param publicBaseUrl string = ''

@description('Region of the console\'s Static Web App (offered in fewer regions than functions).')
@allowed(['westeurope', 'westus2', 'centralus', 'eastus2', 'eastasia'])
param consoleLocation string = 'westeurope'

@description('Microsoft Entra ID authority that issues the API\'s tokens, e.g. https://login.microsoftonline.com/<tenant>/v2.0.')
param authAuthority string

@description('Audience (application ID URI or client ID) the API\'s tokens are issued for.')
param authAudience string

@description('Largest number of instances Flex Consumption may scale out to.')
param maximumInstanceCount int = 40

@description('Memory per instance (MB): 512, 2048 or 4096.')
param instanceMemoryMB int = 2048

var suffix = uniqueString(resourceGroup().id, name)
var storageName = toLower(take('st${replace(name, '-', '')}${suffix}', 24))
var deploymentContainer = 'app-package'

var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${name}'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    // Identity only: the app, the host and deployments all authenticate with Entra ID.
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// The queues the queue triggers listen on (DisconnectionGivenUp listens on disconnection-poison): the host polls them
// from its start, so they exist before it does. A test keeps this list equal to the generated triggers.
var triggerQueues = [
  'disconnection'
  'disconnection-poison'
  'email'
  'projections'
]

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queue in triggerQueues: {
  parent: queueService
  name: queue
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// Blob Data Owner on the account, not only the package container: the host keeps its timer schedule monitors and
// singleton locks in blobs of AzureWebJobsStorage. Queues serve our queue triggers and the outbox relay; tables hold
// the data. No management-plane role is granted.
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [roles.blobDataOwner, roles.queueDataContributor, roles.tableDataContributor]: {
  name: guid(storage.id, identity.id, role)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

// Integration events: a topic with duplicate detection (an event's MessageId is its activity entry's id, so a
// redelivery by the outbox is dropped), an example subscription, and Data Sender for the app's identity only.
resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: 'sb-${name}-${suffix}'
  location: location
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource eventsTopic 'Microsoft.ServiceBus/namespaces/topics@2022-10-01-preview' = {
  parent: serviceBus
  name: 'connected-accounts'
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'P1D'
  }
}

resource exampleSubscription 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2022-10-01-preview' = {
  parent: eventsTopic
  name: 'billing-example'
  properties: {
    maxDeliveryCount: 10
  }
}

resource serviceBusRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventsTopic.id, identity.id, roles.serviceBusDataSender)
  scope: eventsTopic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${name}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Telemetry is accepted only with an Entra token (the identity below), not with the instrumentation key alone.
    DisableLocalAuth: true
  }
}

resource insightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('kv-${name}-${suffix}', 24)
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource sendGridSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'SendGridApiKey'
  properties: { value: sendGridApiKey }
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The web console (web/): static files only, deployed with scripts/publish-console.sh; Free serves it with its own TLS.
resource console 'Microsoft.Web/staticSites@2024-04-01' = {
  name: 'swa-${name}-${suffix}'
  location: consoleLocation
  sku: { name: 'Free', tier: 'Free' }
  properties: {}
}

// Where people open the product: the console, unless another frontend is named. E-mail links and CORS both use it.
var frontendUrl = empty(publicBaseUrl) ? 'https://${console.properties.defaultHostname}' : publicBaseUrl

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${name}'
  location: location
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

// Exactly the settings the program and the host read (a test compares them with the compiled template), written
// as one literal list so that each name is known when the deployment starts.
var appSettings = [
  // Identity-based host storage: account name + managed identity, never a key.
  { name: 'AzureWebJobsStorage__accountName', value: storage.name }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
  // What the program reads (see local.settings.json.example). Storage through the identity, no keys.
  { name: 'Storage__Provider', value: 'AzureStorage' }
  { name: 'Storage__TableEndpoint', value: storage.properties.primaryEndpoints.table }
  { name: 'Storage__QueueEndpoint', value: storage.properties.primaryEndpoints.queue }
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
  { name: 'Auth__Authority', value: authAuthority }
  { name: 'Auth__Audience', value: authAudience }
  { name: 'Email__Provider', value: 'SendGrid' }
  { name: 'Email__FromAddress', value: emailFrom }
  { name: 'Email__PublicBaseUrl', value: frontendUrl }
  { name: 'Email__SendGrid__ApiKey', value: '@Microsoft.KeyVault(SecretUri=${sendGridSecret.properties.secretUri})' }
  { name: 'Events__ServiceBus__FullyQualifiedNamespace', value: '${serviceBus.name}.servicebus.windows.net' }
  { name: 'Events__ServiceBus__Topic', value: eventsTopic.name }
  // Every timer's schedule must exist as a setting: functions.metadata names %Schedules:X%, which the host resolves to the
  // setting Schedules__X when it indexes the functions, and a timer whose setting is missing is disabled.
  { name: 'Schedules__OutboxSweep', value: '*/30 * * * * *' }
  { name: 'Schedules__InvitationCleanup', value: '0 */15 * * * *' }
  { name: 'Schedules__IdempotencySweep', value: '0 20 * * * *' }
  { name: 'Schedules__EmailRecordSweep', value: '0 50 * * * *' }
  { name: 'Schedules__ConnectionExpiry', value: '0 */5 * * * *' }
  { name: 'Schedules__ActivitySweep', value: '0 40 3 * * *' }
]

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-${name}-${suffix}'
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity (the default would be a system identity).
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // The .NET isolated worker: the host starts `dotnet ConnectedAccounts.Functions.dll` as worker.config.json says.
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Browsers may call the API from the console's origin only; bearer tokens, so no credentials mode.
      cors: { allowedOrigins: [frontendUrl], supportCredentials: false }
      appSettings: appSettings
    }
  }
  dependsOn: [storageRoles, vaultRole, insightsRole, packageContainer, queues, tableService]
}

output functionAppName string = app.name
output apiUrl string = 'https://${app.properties.defaultHostName}/api'
output apiBaseUrl string = 'https://${app.properties.defaultHostName}'
output consoleName string = console.name
output consoleUrl string = frontendUrl
output storageAccountName string = storage.name
output identityClientId string = identity.properties.clientId
