// Secrets the app reads through Key Vault references in its app settings (function.bicep), resolved by the
// platform with the app identity. RBAC mode: access is by role, the same way as everything else.
param name string
param location string
param tags object
@description('Principal id of the app identity: reads the secrets.')
param appPrincipalId string
@description('Optional: the person deploying, who may then read (azd does, to keep secrets across deployments) and rotate them.')
param deployerPrincipalId string = ''

@secure()
param contactLinkSecret string
@secure()
param contactLinkPreviousSecret string
@secure()
@description('SMTP password when MAIL_TRANSPORT=smtp; empty otherwise (Graph and ACS use the identity).')
param smtpPassword string = ''

@secure()
@description('TEAMS_WEBHOOK_URL: a Workflows webhook URL, its own credential. Empty: no Teams alerts.')
param teamsWebhookUrl string = ''
@secure()
@description('WEBHOOK_URL: the CRM hand-off URL, which may carry a credential. Empty: no hand-off.')
param webhookUrl string = ''
@secure()
@description('WEBHOOK_SECRET: the hand-off signing secret (whsec_...), required with webhookUrl.')
param webhookSecret string = ''

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource contactLinkSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'contact-link-secret'
  properties: { value: contactLinkSecret, contentType: 'CONTACT_LINK_SECRET' }
}

// Equal to the current secret until a rotation moves the old one here (docs/deploy.md, Key rotation).
resource contactLinkPreviousSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'contact-link-previous-secret'
  properties: { value: contactLinkPreviousSecret, contentType: 'CONTACT_LINK_PREVIOUS_SECRET' }
}

resource smtpPasswordValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: 'smtp-password'
  properties: { value: smtpPassword, contentType: 'SMTP_PASSWORD' }
}

resource teamsWebhookUrlValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(teamsWebhookUrl)) {
  parent: vault
  name: 'teams-webhook-url'
  properties: { value: teamsWebhookUrl, contentType: 'TEAMS_WEBHOOK_URL' }
}

resource webhookUrlValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(webhookUrl)) {
  parent: vault
  name: 'webhook-url'
  properties: { value: webhookUrl, contentType: 'WEBHOOK_URL' }
}

resource webhookSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(webhookSecret)) {
  parent: vault
  name: 'webhook-secret'
  properties: { value: webhookSecret, contentType: 'WEBHOOK_SECRET' }
}

var secretsUserRole = '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User: read secret values, nothing else
var secretsOfficerRole = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // Key Vault Secrets Officer: read and set secrets (a person, not the app)

resource appReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, secretsUserRole)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRole)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource deployerManagesSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, secretsOfficerRole)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficerRole)
    principalId: deployerPrincipalId
  }
}

output name string = vault.name
output contactLinkSecretUri string = contactLinkSecretValue.properties.secretUri
output contactLinkPreviousSecretUri string = contactLinkPreviousSecretValue.properties.secretUri
output smtpPasswordUri string = empty(smtpPassword) ? '' : smtpPasswordValue.properties.secretUri
output teamsWebhookUrlUri string = empty(teamsWebhookUrl) ? '' : teamsWebhookUrlValue.properties.secretUri
output webhookUrlUri string = empty(webhookUrl) ? '' : webhookUrlValue.properties.secretUri
output webhookSecretUri string = empty(webhookSecret) ? '' : webhookSecretValue.properties.secretUri
