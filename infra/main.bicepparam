using 'main.bicep'

param name = 'connacc'
param location = 'westeurope'
param sendGridApiKey = readEnvironmentVariable('SENDGRID_API_KEY')
param publicBaseUrl = readEnvironmentVariable('PUBLIC_BASE_URL', 'https://app.example.com')
param authAuthority = readEnvironmentVariable('AUTH_AUTHORITY')
param authAudience = readEnvironmentVariable('AUTH_AUDIENCE')
