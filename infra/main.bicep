// marketplace-leads on Azure: `azd up` creates everything below and deploys the app (docs/deploy.md).
// Plain resource declarations in infra/app/*.bicep, no registry modules: each file reads top to bottom.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Azure region for the resources (one that offers Flex Consumption).')
param location string

@description('Object id of the person deploying (azd sets it): may read and rotate the Key Vault secrets. Empty: no role.')
param principalId string = ''

// What the app does with leads.
@minLength(3)
@description('REMINDER_RECIPIENTS: addresses that get reminders for offers without a route, comma-separated.')
param reminderRecipients string
@description('REMINDER_ROUTES: JSON object, offer id or title → address(es). Empty: every offer goes to reminderRecipients.')
param reminderRoutes string = ''
@description('ESCALATION_EMAIL: where leads nobody contacted in 48 h go. Empty: no escalation.')
param escalationEmail string = ''

// How reminders are sent.
@allowed(['graph', 'acs', 'smtp'])
@description('MAIL_TRANSPORT: acs (created here, works at once), graph (an Exchange Online mailbox; an admin grants Mail.Send), or smtp.')
param mailTransport string = 'acs'
@description('MAIL_FROM: the sender. Required for graph (the mailbox) and smtp; for acs, empty means the Azure-managed DoNotReply address.')
param mailFrom string = ''
@description('MAIL_GRAPH_ENDPOINT: Microsoft Graph for your cloud (https://graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn, ...).')
param graphEndpoint string = 'https://graph.microsoft.com'
@description('For acs: where Communication Services keeps its data (United States, Europe, UK, Australia, ...).')
param communicationDataLocation string = 'United States'
param smtpHost string = ''
param smtpPort string = '587'
@allowed(['true', 'false'])
param smtpSecure string = 'false'
param smtpUser string = ''
@secure()
param smtpPassword string = ''

// Alerts, hand-off and the silence alarm (docs/alerts.md, docs/crm.md). The URLs and the secret go to Key Vault.
@secure()
@description('TEAMS_WEBHOOK_URL: a Teams Workflows webhook URL for instant alerts. Empty: email only.')
param teamsWebhookUrl string = ''
@secure()
@description('WEBHOOK_URL: the CRM hand-off URL (HTTPS). Empty: no hand-off.')
param webhookUrl string = ''
@secure()
@description('WEBHOOK_SECRET: whsec_ + base64 of 24-64 random bytes; required with webhookUrl.')
param webhookSecret string = ''
@description('OPS_EMAIL: who hears when leads stop coming. Empty: ESCALATION_EMAIL, else the reminder recipients.')
param opsEmail string = ''

// Contact-link keys. azd passes what the vault holds ($(secretOrRandomPassword ...) in main.parameters.json), or
// 15 random characters on the first deployment; a value shorter than 32 characters is extended once with the
// random GUID below and stored, and from then on azd passes the stored value back, so it never changes by itself.
@secure()
@description('CONTACT_LINK_SECRET; leave it to azd. With plain az deployments pass the current value, or it is regenerated.')
param contactLinkSecret string = ''
@secure()
@description('CONTACT_LINK_PREVIOUS_SECRET; the current secret until a rotation (docs/deploy.md).')
param contactLinkPreviousSecret string = ''
@secure()
@description('Randomness for a generated contact-link secret; leave the default.')
param secretEntropy string = newGuid()

// Scale: leads are few and mail servers are not elastic.
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var generatedSecret = '${contactLinkSecret}${replace(secretEntropy, '-', '')}'
var currentContactLinkSecret = length(contactLinkSecret) >= 32 ? contactLinkSecret : generatedSecret
var previousContactLinkSecret = length(contactLinkPreviousSecret) >= 32 ? contactLinkPreviousSecret : currentContactLinkSecret
var useAcs = mailTransport == 'acs'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: { name: 'id-${resourceToken}', location: location, tags: tags }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    appPrincipalId: identity.outputs.principalId
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    contactLinkSecret: currentContactLinkSecret
    contactLinkPreviousSecret: previousContactLinkSecret
    smtpPassword: mailTransport == 'smtp' ? smtpPassword : ''
    teamsWebhookUrl: teamsWebhookUrl
    webhookUrl: webhookUrl
    webhookSecret: webhookSecret
  }
}

module communication 'app/communication.bicep' = if (useAcs) {
  name: 'communication'
  scope: rg
  params: {
    communicationName: 'acs-${resourceToken}'
    emailServiceName: 'ecs-${resourceToken}'
    dataLocation: communicationDataLocation
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module functionApp 'app/function.bicep' = {
  name: 'function'
  scope: rg
  params: {
    planName: 'plan-${resourceToken}'
    appName: functionAppName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    contactLinkSecretUri: keyVault.outputs.contactLinkSecretUri
    contactLinkPreviousSecretUri: keyVault.outputs.contactLinkPreviousSecretUri
    smtpPasswordUri: keyVault.outputs.smtpPasswordUri
    teamsWebhookUrlUri: keyVault.outputs.teamsWebhookUrlUri
    webhookUrlUri: keyVault.outputs.webhookUrlUri
    webhookSecretUri: keyVault.outputs.webhookSecretUri
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    reminderRecipients: reminderRecipients
    reminderRoutes: reminderRoutes
    escalationEmail: escalationEmail
    mailTransport: mailTransport
    mailFrom: useAcs && empty(mailFrom) ? communication.outputs.senderAddress : mailFrom
    graphEndpoint: graphEndpoint
    acsEndpoint: useAcs ? communication.outputs.endpoint : ''
    smtpHost: smtpHost
    smtpPort: smtpPort
    smtpSecure: smtpSecure
    smtpUser: smtpUser
    opsEmail: opsEmail
  }
}

// azd keeps outputs in the environment (.azure/<env>/.env); AZURE_KEY_VAULT_NAME is what lets the next
// deployment read the contact-link secrets back instead of making new ones.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
@description('The app identity: its client (application) id and its service principal object id, for the Exchange and Graph grants in docs/deploy.md.')
output APP_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APP_IDENTITY_OBJECT_ID string = identity.outputs.principalId
output MAIL_SENDER string = useAcs && empty(mailFrom) ? communication.outputs.senderAddress : mailFrom
@description('Paste into Partner Center (Offer setup → Customer leads → HTTPS endpoint) with ?code=<key> appended.')
output LEAD_URL string = 'https://${functionApp.outputs.defaultHostName}/api/leads'
@description('Prints the function key for LEAD_URL.')
output LEAD_KEY_COMMAND string = 'az functionapp function keys list --resource-group ${rg.name} --name ${functionApp.outputs.name} --function-name ingestLead --query default --output tsv'
@description('Prints the master key, for npm run smoke (it erases its test lead, which only the master key may do).')
output ADMIN_KEY_COMMAND string = 'az functionapp keys list --resource-group ${rg.name} --name ${functionApp.outputs.name} --query masterKey --output tsv'
