// Azure Communication Services Email with an Azure-managed domain (DoNotReply@<guid>.azurecomm.net), deployed
// when MAIL_TRANSPORT=acs. Access keys are off: the app sends with its identity. Azure-managed domains have low
// sending limits; link a custom domain for more (docs/deploy.md).
param communicationName string
param emailServiceName string
@description('Where ACS keeps its data at rest, e.g. United States, Europe, UK, Australia; the same for both resources.')
param dataLocation string
param tags object
@description('Principal id of the app identity.')
param appPrincipalId string

resource emailService 'Microsoft.Communication/emailServices@2025-05-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: { dataLocation: dataLocation }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2025-05-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    // No open/click tracking pixels in mail about customers.
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2025-05-01' = {
  name: communicationName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [managedDomain.id]
    disableLocalAuth: true
  }
}

var emailServiceOwnerRole = '09976791-48a7-449e-bb21-39d1a415f350' // Communication and Email Service Owner: the narrowest built-in role that can send with an Entra token

resource appSendsMail 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communication.id, appPrincipalId, emailServiceOwnerRole)
  scope: communication
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', emailServiceOwnerRole)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${communication.properties.hostName}'
output senderAddress string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
