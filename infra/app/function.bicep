// The function app on Flex Consumption, Node.js 22, running as the app identity, and every app setting the app
// reads, with its value or default, in `appSettings` below: the one place they are set. The settings are a child
// resource of the site so they can name the site's own host name (PUBLIC_BASE_URL), and because the resource
// replaces the whole set, a setting removed here is removed from the app.
param planName string
param appName string
param location string
param tags object

@description('User-assigned identity the app runs as: resource id and client id.')
param identityId string
param identityClientId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string

param applicationInsightsConnectionString string

param contactLinkSecretUri string
param contactLinkPreviousSecretUri string
param smtpPasswordUri string
param teamsWebhookUrlUri string
param webhookUrlUri string
param webhookSecretUri string

@description('Instances the app may scale out to, all functions together. Leads come one at a time and mail servers are not elastic.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int
@allowed([512, 2048, 4096])
param instanceMemoryMB int

param reminderRecipients string
param reminderRoutes string
param escalationEmail string
@allowed(['graph', 'acs', 'smtp'])
param mailTransport string
param mailFrom string
param graphEndpoint string
param acsEndpoint string
param smtpHost string
param smtpPort string
param smtpSecure string
param smtpUser string
param opsEmail string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity (there is no system-assigned one).
    keyVaultReferenceIdentity: identityId
    siteConfig: { minTlsVersion: '1.2' }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Node.js 22 in Azure (20 left community support on 2026-04-30); the code also runs on 20.
      runtime: { name: 'node', version: '22' }
    }
  }
}

// Every setting the app reads (README's settings table), and the host's identity-based storage connection.
var appSettings = {
  // Host and app storage, keyless: the queue trigger, the app's clients and npm run replay-poison read these.
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  LEADS_QUEUE_NAME: 'leads-incoming'
  TABLE_NAME_PREFIX: ''

  // Follow-up reminders (docs/reminders.md).
  FOLLOW_UP_HOURS: '24'
  ESCALATE_AFTER_HOURS: '48'
  REMINDER_SCHEDULE: '0 */15 * * * *'
  REMINDER_RECIPIENTS: reminderRecipients
  REMINDER_ROUTES: reminderRoutes
  ESCALATION_EMAIL: escalationEmail

  // "Mark as contacted" links: the keys live in Key Vault.
  CONTACT_LINK_SECRET: '@Microsoft.KeyVault(SecretUri=${contactLinkSecretUri})'
  CONTACT_LINK_PREVIOUS_SECRET: '@Microsoft.KeyVault(SecretUri=${contactLinkPreviousSecretUri})'
  CONTACT_LINK_TTL_DAYS: '14'
  PUBLIC_BASE_URL: 'https://${site.properties.defaultHostName}'

  // Mail: graph and acs sign in with the app identity; smtp's password is in Key Vault.
  MAIL_TRANSPORT: mailTransport
  MAIL_FROM: mailFrom
  MAIL_GRAPH_ENDPOINT: graphEndpoint
  ACS_ENDPOINT: acsEndpoint
  SMTP_HOST: smtpHost
  SMTP_PORT: smtpPort
  SMTP_SECURE: smtpSecure
  SMTP_USER: smtpUser
  SMTP_PASSWORD: empty(smtpPasswordUri) ? '' : '@Microsoft.KeyVault(SecretUri=${smtpPasswordUri})'
  OUTBOX_DIR: 'outbox' // MAIL_TRANSPORT=outbox is for local runs; listed so every setting has its value here

  // Instant alerts (docs/alerts.md): the Teams webhook URL is its own credential, so it lives in Key Vault.
  ALERT_ON_NEW_LEAD: 'true'
  ALERT_BURST: '5'
  ALERT_QUEUE_NAME: 'lead-alerts'
  TEAMS_WEBHOOK_URL: empty(teamsWebhookUrlUri) ? '' : '@Microsoft.KeyVault(SecretUri=${teamsWebhookUrlUri})'
  TEAMS_PAYLOAD: 'message'

  // CRM hand-off (docs/crm.md): the URL may carry a credential and the secret signs, both in Key Vault.
  HANDOFF_QUEUE_NAME: 'lead-handoffs'
  WEBHOOK_URL: empty(webhookUrlUri) ? '' : '@Microsoft.KeyVault(SecretUri=${webhookUrlUri})'
  WEBHOOK_SECRET: empty(webhookSecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${webhookSecretUri})'

  // Silence alarm (docs/alerts.md).
  SILENCE_ALERT_DAYS: '14'
  OPS_EMAIL: opsEmail

  // Nurture cadence, qualification and trial lengths (docs/reminders.md): empty means the documented defaults.
  NURTURE_CADENCE_DAYS: '2,5,10'
  QUALIFICATION_CRITERIA: ''
  DISQUALIFY_REASONS: ''
  OFFER_TRIAL_DAYS: ''

  // Telemetry: the host and the app's custom events sign in with the app identity (local auth is off).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
