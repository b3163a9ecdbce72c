using 'main.bicep'

param name = 'connacc'
param location = 'westeurope'
param sendGridApiKey = readEnvironmentVariable('SENDGRID_API_KEY')
param publicBaseUrl = readEnvironmentVariable('PUBLIC_BASE_URL', '')
param authAuthority = readEnvironmentVariable('AUTH_AUTHORITY')
param authAudience = readEnvironmentVariable('AUTH_AUDIENCE')
